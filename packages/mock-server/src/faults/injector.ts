// Faults around the core's `handle()`: decides with the plan's matcher, applies the fault, and writes
// one log line per request and one per fault fired (never a token: method, path and query only).

import { upgradeOf } from "../http/upgrade.js";
import {
  cutWatch,
  delay,
  resetAfterBytes,
  statusAnswer,
  waitForAbort,
  watchGoneAnswer,
} from "./actions.js";
import { FaultMatcher, type Fired, verbOfRequest } from "./match.js";
import { type Fault, type FaultPlan, normalizePlan } from "./plan.js";

/** The fault plan of a running server: replace or clear it at any time. */
export interface Faults {
  /** Replaces the plan (counts and the generator start again). Throws `FaultPlanError` on a bad plan. */
  set(plan: FaultPlan): void;
  /** Removes the plan and ends stalled requests. */
  clear(): void;
  /** How many times each rule of the current plan fired, by name (`#<index>` when unnamed). */
  counts(): Record<string, number>;
}

export interface FaultInjectorOptions {
  plan?: FaultPlan;
  log?: (line: string) => void;
  /** Expires a token (a service-account token as if its `exp` had passed; a static one is revoked). */
  expireToken(token: string): void;
  /** The server's latest resourceVersion (for the 410 message). */
  resourceVersion(): string;
}

export interface FaultInjector extends Faults {
  /** `next` (the core) with the plan's faults around it. */
  handle(request: Request, next: (request: Request) => Promise<Response>): Promise<Response>;
}

/** A fault as the log shows it. */
export function describeFault(fault: Fault): string {
  const parts: string[] = [];
  if (fault.delayMs !== undefined) parts.push(`delay ${fault.delayMs} ms`);
  if (fault.status !== undefined)
    parts.push(
      `status ${fault.status}${fault.retryAfterSeconds !== undefined ? ` Retry-After ${fault.retryAfterSeconds}` : ""}`,
    );
  if (fault.resetAfterBytes !== undefined) parts.push(`reset after ${fault.resetAfterBytes} bytes`);
  if (fault.stall) parts.push("stall");
  if (fault.cutWatchAfterEvents !== undefined)
    parts.push(
      `cut watch after ${fault.cutWatchAfterEvents} events${fault.reset ? " (reset)" : ""}`,
    );
  if (fault.watchGone) parts.push("watch 410 Gone");
  if (fault.expireToken) parts.push("token expired");
  return parts.join(", ");
}

export function createFaultInjector(options: FaultInjectorOptions): FaultInjector {
  const log = options.log;
  let matcher: FaultMatcher | undefined =
    options.plan === undefined ? undefined : new FaultMatcher(normalizePlan(options.plan));
  const stalls = new Set<() => void>();

  async function apply(
    fired: Fired[],
    request: Request,
    verb: string,
    url: URL,
    next: (request: Request) => Promise<Response>,
  ): Promise<Response> {
    let fault: Fault | undefined;
    let wait = 0;
    for (const f of fired) {
      wait += f.fault.delayMs ?? 0;
      if (Object.keys(f.fault).some((k) => k !== "delayMs")) fault = f.fault;
    }
    if (wait > 0 && !(await delay(wait, request.signal))) return Response.error();
    if (!fault) return next(request);
    if (fault.status !== undefined)
      return statusAnswer(fault.status, fault.retryAfterSeconds, fault.message);
    if (fault.stall) {
      await waitForAbort(request.signal, stalls);
      return Response.error();
    }
    if (fault.resetAfterBytes === 0) return Response.error();
    if (fault.resetAfterBytes !== undefined)
      return resetAfterBytes(await next(request), fault.resetAfterBytes);
    if (fault.watchGone && verb === "watch") {
      const current = options.resourceVersion();
      const requested = url.searchParams.get("resourceVersion") || current;
      return watchGoneAnswer(requested, current);
    }
    if (fault.cutWatchAfterEvents !== undefined)
      return cutWatch(await next(request), fault.cutWatchAfterEvents, fault.reset === true);
    if (fault.expireToken) {
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
      if (token !== undefined) options.expireToken(token);
    }
    return next(request);
  }

  return {
    async handle(request, next) {
      if (!matcher && !log) return next(request);
      const started = performance.now();
      const url = new URL(request.url);
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
      const verb = verbOfRequest(request.method, path, url.searchParams);
      const line = `${request.method} ${url.pathname}${url.search}`;
      const fired = matcher ? matcher.decide({ method: request.method, path, verb }) : [];
      for (const f of fired) log?.(`fault ${f.label}: ${describeFault(f.fault)} ← ${line}`);
      const response = await apply(fired, request, verb, url, next);
      const ms = Math.round(performance.now() - started);
      log?.(
        `${line} → ${response.type === "error" ? "connection cut" : upgradeOf(response) ? "101 (WebSocket)" : response.status} (${ms} ms)`,
      );
      return response;
    },
    set(plan) {
      matcher = new FaultMatcher(normalizePlan(plan));
    },
    clear() {
      matcher = undefined;
      for (const stop of [...stalls]) stop();
    },
    counts: () => matcher?.counts() ?? {},
  };
}
