import { setTimeout as sleep } from "node:timers/promises";
import { type HttpAnswer, httpCall } from "../src/https.js";
import type { Target } from "./target.js";

/** What a scenario saw at one step: JSON-like data, compared as is between the two servers. */
export type Observation = unknown;

export interface CallOptions {
  /** The bearer token; default the admin's; `null` for none (anonymous). */
  token?: string | null;
  /** A JSON body (or a string sent as is). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** How long to wait for the whole answer; one that takes longer is observed as status 0. Default 10 s. */
  timeoutMs?: number;
}

/** What a scenario gets: one target, its own namespace, a way to call and to record. */
export interface ScenarioContext {
  /** A namespace made for this scenario (same name on both servers). */
  readonly namespace: string;
  readonly target: Target;
  /** One request over HTTPS with the target's CA; JSON bodies are parsed into `json`. */
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** Records what was seen at `step` (a label unique within the scenario). */
  observe(step: string, value: Observation): void;
  /** Polls `check` until it returns a value (not undefined), at most `ms` (default 20 s). */
  eventually<T>(what: string, check: () => Promise<T | undefined>, ms?: number): Promise<T>;
}

export interface Answer extends HttpAnswer {
  readonly json: any;
}

/** A scenario: steps a client takes, and what it observes. It must not branch on the target. */
export interface Scenario {
  readonly name: string;
  run(context: ScenarioContext): Promise<void>;
}

/** One step's observation on one target. */
export interface Step {
  readonly step: string;
  readonly value: Observation;
}

export const scenarioNamespace = (index: number) => `scenario-${index}`;

/** Runs `scenario` against `target` in namespace `namespace` (created first) and returns its steps. */
export async function runScenario(
  scenario: Scenario,
  target: Target,
  namespace: string,
): Promise<Step[]> {
  const steps: Step[] = [];
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<Answer> => {
    const token = options.token === undefined ? target.adminToken : options.token;
    const body =
      options.body === undefined || typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
    const timeoutMs = options.timeoutMs ?? 10_000;
    const answer = await httpCall(`${target.url}${path}`, {
      method,
      ca: target.ca,
      timeoutMs,
      headers: {
        accept: "application/json",
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined
          ? {}
          : { "content-type": options.contentType ?? "application/json" }),
        ...options.headers,
      },
      body,
    }).catch((error: Error) => {
      // A server that keeps the request open (a watch it did not bound) is an observation too.
      if (!error.message.includes("no complete answer within")) throw error;
      return { status: 0, headers: {}, body: `(no complete answer within ${timeoutMs} ms)` };
    });
    let json: unknown;
    try {
      json = JSON.parse(answer.body);
    } catch {
      json = undefined;
    }
    return { ...answer, json };
  };
  const context: ScenarioContext = {
    namespace,
    target,
    call,
    observe(step, value) {
      if (steps.some((s) => s.step === step)) throw new Error(`step "${step}" observed twice`);
      steps.push({ step, value });
    },
    async eventually(what, check, ms = 20_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
        await sleep(100);
      }
    },
  };
  const created = await call("POST", "/api/v1/namespaces", {
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
  });
  if (created.status !== 201)
    throw new Error(
      `${target.name}: creating namespace ${namespace}: ${created.status} ${created.body}`,
    );
  try {
    await scenario.run(context);
  } catch (error) {
    context.observe("(the scenario threw)", (error as Error).message);
  }
  return steps;
}
