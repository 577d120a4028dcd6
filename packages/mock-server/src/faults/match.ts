// Which rules of a plan fire on a request: verb, method and path globs, `after`/`times` counts and a
// probability drawn from a seeded generator per rule (so one rule's draws never shift another's).
import type { Fault, FaultRule, NormalizedPlan } from "./plan.js";
import { seededRandom } from "./random.js";

/** What a rule is matched against. */
export interface RequestFacts {
  method: string;
  /** The path without the query, trailing slashes removed. */
  path: string;
  verb: string;
}

/** A path glob as a RegExp: `**` any run of characters, `*` any within one segment. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        source += ".*";
        i++;
      } else source += "[^/]*";
    } else source += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source.replace(/\/+$/, "")}/?$`);
}

/**
 * The verb of a request as the API server's request-info resolver derives it (requestinfo.go),
 * from the path alone: `watch` for `?watch=true|1` or the `/watch/` prefix, `get` for a named GET,
 * `list` otherwise, and the writes from the method. Non-resource paths: the lowercase method.
 */
export function verbOfRequest(method: string, path: string, query: URLSearchParams): string {
  const parts = path.split("/").filter(Boolean);
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 3) rest = parts.slice(2);
  else if (parts[0] === "apis" && parts.length >= 4) rest = parts.slice(3);
  else return method.toLowerCase();
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  // /namespaces/{ns}/{resource}/{name}…, except a namespace's own subresources (status, finalize).
  if (
    rest[0] === "namespaces" &&
    rest.length >= 3 &&
    !(rest.length === 3 && ["status", "finalize"].includes(rest[2] as string))
  )
    rest = rest.slice(2);
  const named = rest.length >= 2;
  switch (method.toUpperCase()) {
    case "GET":
    case "HEAD":
      if (watchPath || ["true", "1"].includes(query.get("watch") ?? "")) return "watch";
      return named ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return named ? "delete" : "deletecollection";
    default:
      return method.toLowerCase();
  }
}

const list = (v: string | readonly string[] | undefined) =>
  v === undefined ? undefined : typeof v === "string" ? [v] : v;

interface CompiledRule {
  index: number;
  label: string;
  rule: FaultRule;
  verbs: Set<string> | undefined;
  methods: Set<string> | undefined;
  paths: RegExp[] | undefined;
  random: () => number;
  matched: number;
  fired: number;
}

/** A rule that fired on a request. */
export interface Fired {
  label: string;
  fault: Fault;
}

const watchOnly = (fault: Fault) =>
  fault.cutWatchAfterEvents !== undefined || fault.watchGone === true;

/** The decisions of one plan. Stateful: counts and generators advance with each request. */
export class FaultMatcher {
  readonly #rules: CompiledRule[];

  constructor(plan: NormalizedPlan) {
    this.#rules = plan.rules.map((rule, index) => {
      const verbs = list(rule.match?.verb);
      return {
        index,
        label: rule.name ?? `#${index}`,
        rule,
        verbs: verbs === undefined || verbs.includes("*") ? undefined : new Set(verbs),
        methods:
          list(rule.match?.method) &&
          new Set(list(rule.match?.method)?.map((m) => m.toUpperCase())),
        paths: list(rule.match?.path)?.map(globToRegExp),
        // A stream per rule, derived from the plan's seed and the rule's index.
        random: seededRandom((plan.seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0),
        matched: 0,
        fired: 0,
      };
    });
  }

  /**
   * The rules that fire on this request, in plan order: pure delays, then at most one other fault
   * (the first one firing ends the evaluation).
   */
  decide(request: RequestFacts): Fired[] {
    const fired: Fired[] = [];
    for (const r of this.#rules) {
      const { match, fault } = r.rule;
      if (r.verbs && !r.verbs.has(request.verb)) continue;
      if (watchOnly(fault) && request.verb !== "watch") continue;
      if (r.methods && !r.methods.has(request.method.toUpperCase())) continue;
      if (r.paths && !r.paths.some((p) => p.test(request.path))) continue;
      r.matched++;
      if (r.matched <= (match?.after ?? 0)) continue;
      if (match?.times !== undefined && r.fired >= match.times) continue;
      const probability = match?.probability ?? 1;
      if (probability < 1 && !(r.random() < probability)) continue;
      r.fired++;
      fired.push({ label: r.label, fault });
      const onlyDelay = Object.keys(fault).every((k) => k === "delayMs");
      if (!onlyDelay) break;
    }
    return fired;
  }

  /** How many times each rule fired, by label. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#rules.map((r) => [r.label, r.fired]));
  }
}
