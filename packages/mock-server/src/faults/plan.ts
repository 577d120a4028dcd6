// A fault plan is data: rules that say which requests (verb, path glob, method, how many, how likely)
// get which fault. Usable from tests and from a JSON/YAML file (the CLI's `--faults`).

/** Which requests a rule applies to. Every field given must match; none given matches everything. */
export interface FaultMatch {
  /**
   * Kubernetes verbs (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`)
   * as the API server derives them from the method, path and `?watch`; for non-resource paths
   * (`/api`, `/version`, …) the lowercase HTTP method (`get`, `post`…), as RBAC's non-resource verbs.
   * `"*"` or absent: any verb.
   */
  verb?: string | readonly string[];
  /** HTTP methods (`GET`, `POST`…, any case). Absent: any. */
  method?: string | readonly string[];
  /**
   * Path globs, without the query: `*` is any part of one segment (no `/`), `**` any run of segments.
   * E.g. `/api/v1/namespaces/*\/pods`, `/apis/apps/**`. Absent: any path.
   */
  path?: string | readonly string[];
  /** Lets the first `after` matching requests through untouched. Default 0. */
  after?: number;
  /** Fires at most this many times, then never again (until the plan is set again). Default: no limit. */
  times?: number;
  /**
   * Chance (0–1) that a matching request gets the fault, drawn from the plan's seeded generator: the
   * same plan, seed and sequence of requests give the same decisions every run. Default 1.
   */
  probability?: number;
}

/** What happens to a request a rule fires on. One kind per rule; `delayMs` may accompany any. */
export interface Fault {
  /**
   * Answer with this HTTP status and a `Status` body instead of serving the request (429
   * `TooManyRequests`, 500 `InternalError`, 503 `ServiceUnavailable`, 504 `Timeout`, others by code).
   */
  status?: number;
  /** With `status`: the `Retry-After` header, in seconds (and `details.retryAfterSeconds`). */
  retryAfterSeconds?: number;
  /** With `status`: the Status message. Default the server's usual one for that code. */
  message?: string;
  /** Waits this long before serving (or before the other fault of the rule). Later rules still apply. */
  delayMs?: number;
  /**
   * Serves the request, then cuts the connection after this many bytes of the body (no final chunk, no
   * TLS close_notify): the client sees a reset mid-response. `0`: the connection is cut before any answer.
   */
  resetAfterBytes?: number;
  /** Never answers (no status line) until the client gives up or the listener closes. */
  stall?: boolean;
  /** Watches only: ends the watch after this many events (BOOKMARKs count). */
  cutWatchAfterEvents?: number;
  /** With `cutWatchAfterEvents`: cut the connection instead of ending the stream cleanly. */
  reset?: boolean;
  /**
   * Watches only: answers as the server does for a resourceVersion out of its window — an `ERROR` event
   * with a 410 `Expired` Status, then the end of the stream.
   */
  watchGone?: boolean;
  /** The request's bearer token expires now: this request and every later one with it get 401. */
  expireToken?: boolean;
}

/** One rule: when `match` (absent: every request) fires, `fault` happens. */
export interface FaultRule {
  /** A name for the server's log. Default `#<index>`. */
  name?: string;
  match?: FaultMatch;
  fault: Fault;
}

/**
 * A fault plan: its rules in order (the first firing rule that is not a pure delay decides; pure
 * delays add up and let later rules apply), and the seed of its generator (default 1).
 */
export type FaultPlan =
  | readonly FaultRule[]
  | { readonly seed?: number; readonly rules: readonly FaultRule[] };

/** A plan that is not well formed: the message names the rule and the field. */
export class FaultPlanError extends Error {
  override readonly name = "FaultPlanError";
}

export interface NormalizedPlan {
  seed: number;
  rules: FaultRule[];
}

const FAULT_KINDS = [
  "status",
  "resetAfterBytes",
  "stall",
  "cutWatchAfterEvents",
  "watchGone",
  "expireToken",
] as const;
const FAULT_FIELDS = new Set<string>([
  ...FAULT_KINDS,
  "retryAfterSeconds",
  "message",
  "delayMs",
  "reset",
]);
const MATCH_FIELDS = new Set(["verb", "method", "path", "after", "times", "probability"]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks a plan (from code or a parsed file) and returns it with its seed; throws {@link FaultPlanError}. */
export function normalizePlan(plan: unknown): NormalizedPlan {
  let seed = 1;
  let rules: unknown;
  if (Array.isArray(plan)) rules = plan;
  else if (isObject(plan)) {
    for (const key of Object.keys(plan))
      if (key !== "seed" && key !== "rules")
        throw new FaultPlanError(
          `fault plan: unknown field "${key}" (expected "seed" and "rules")`,
        );
    if (plan.seed !== undefined) {
      if (!Number.isInteger(plan.seed))
        throw new FaultPlanError(
          `fault plan: "seed" must be an integer, not ${JSON.stringify(plan.seed)}`,
        );
      seed = plan.seed as number;
    }
    rules = plan.rules;
  }
  if (!Array.isArray(rules))
    throw new FaultPlanError("fault plan: expected a list of rules or { seed, rules: [...] }");
  return { seed, rules: rules.map((rule, index) => checkRule(rule, index)) };
}

function checkRule(rule: unknown, index: number): FaultRule {
  const where = `fault plan rule ${index}`;
  const bad = (message: string): never => {
    throw new FaultPlanError(`${where}: ${message}`);
  };
  if (!isObject(rule)) return bad("expected an object { match?, fault }");
  for (const key of Object.keys(rule))
    if (!["name", "match", "fault"].includes(key)) bad(`unknown field "${key}"`);
  if (rule.name !== undefined && typeof rule.name !== "string") bad('"name" must be a string');
  const { match, fault } = rule;
  if (match !== undefined) {
    if (!isObject(match)) bad('"match" must be an object');
    const m = match as Record<string, unknown>;
    for (const key of Object.keys(m))
      if (!MATCH_FIELDS.has(key)) bad(`unknown field "match.${key}"`);
    for (const key of ["verb", "method", "path"]) {
      const v = m[key];
      if (
        v !== undefined &&
        typeof v !== "string" &&
        !(Array.isArray(v) && v.every((x) => typeof x === "string"))
      )
        bad(`"match.${key}" must be a string or a list of strings`);
    }
    for (const key of ["after", "times"]) {
      const v = m[key];
      if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0))
        bad(`"match.${key}" must be a whole number ≥ 0`);
    }
    const p = m.probability;
    if (p !== undefined && !(typeof p === "number" && p >= 0 && p <= 1))
      bad('"match.probability" must be a number from 0 to 1');
  }
  if (!isObject(fault)) return bad('"fault" must be an object');
  for (const key of Object.keys(fault))
    if (!FAULT_FIELDS.has(key)) bad(`unknown field "fault.${key}"`);
  const kinds = FAULT_KINDS.filter((k) => fault[k] !== undefined && fault[k] !== false);
  if (kinds.length > 1) bad(`one fault per rule, not ${kinds.join(" and ")}`);
  if (kinds.length === 0 && fault.delayMs === undefined)
    bad(`no fault: give one of ${[...FAULT_KINDS, "delayMs"].join(", ")}`);
  const whole = (key: string, min: number) => {
    const v = fault[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= min))
      bad(`"fault.${key}" must be a whole number ≥ ${min}`);
  };
  whole("delayMs", 0);
  whole("resetAfterBytes", 0);
  whole("cutWatchAfterEvents", 0);
  whole("retryAfterSeconds", 0);
  if (
    fault.status !== undefined &&
    !(
      Number.isInteger(fault.status) &&
      (fault.status as number) >= 400 &&
      (fault.status as number) <= 599
    )
  )
    bad('"fault.status" must be an HTTP error status (400–599)');
  for (const key of ["stall", "watchGone", "expireToken", "reset"])
    if (fault[key] !== undefined && typeof fault[key] !== "boolean")
      bad(`"fault.${key}" must be true or false`);
  if (fault.message !== undefined && typeof fault.message !== "string")
    bad('"fault.message" must be a string');
  if (
    (fault.retryAfterSeconds !== undefined || fault.message !== undefined) &&
    fault.status === undefined
  )
    bad('"fault.retryAfterSeconds" and "fault.message" go with "fault.status"');
  if (fault.reset !== undefined && fault.cutWatchAfterEvents === undefined)
    bad('"fault.reset" goes with "fault.cutWatchAfterEvents"');
  return rule as unknown as FaultRule;
}
