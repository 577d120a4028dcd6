import { describe, expect, it } from "vitest";
import { FaultMatcher, globToRegExp, verbOfRequest } from "./match.js";
import { type FaultPlan, FaultPlanError, normalizePlan } from "./plan.js";
import { seededRandom } from "./random.js";

const q = (s = "") => new URLSearchParams(s);
const matcher = (plan: FaultPlan) => new FaultMatcher(normalizePlan(plan));
const req = (verb: string, path: string, method = "GET") => ({ verb, path, method });

describe("verbOfRequest", () => {
  it("derives the API server's verbs from method, path and ?watch", () => {
    expect(verbOfRequest("GET", "/api/v1/namespaces/default/pods", q())).toBe("list");
    expect(verbOfRequest("GET", "/api/v1/namespaces/default/pods/web", q())).toBe("get");
    expect(verbOfRequest("GET", "/api/v1/namespaces/default/pods", q("watch=true"))).toBe("watch");
    expect(verbOfRequest("GET", "/api/v1/watch/namespaces/default/pods", q())).toBe("watch");
    expect(verbOfRequest("GET", "/api/v1/namespaces", q())).toBe("list");
    expect(verbOfRequest("GET", "/api/v1/namespaces/default", q())).toBe("get");
    expect(verbOfRequest("PUT", "/api/v1/namespaces/default/finalize", q())).toBe("update");
    expect(verbOfRequest("POST", "/apis/apps/v1/namespaces/x/deployments", q())).toBe("create");
    expect(verbOfRequest("PATCH", "/apis/apps/v1/namespaces/x/deployments/d/scale", q())).toBe(
      "patch",
    );
    expect(verbOfRequest("DELETE", "/api/v1/namespaces/x/pods/p", q())).toBe("delete");
    expect(verbOfRequest("DELETE", "/api/v1/namespaces/x/pods", q())).toBe("deletecollection");
    expect(verbOfRequest("GET", "/api", q())).toBe("get");
    expect(verbOfRequest("GET", "/version", q())).toBe("get");
    expect(verbOfRequest("POST", "/apis", q())).toBe("post");
  });
});

describe("globToRegExp", () => {
  it("* stays in one segment, ** crosses segments", () => {
    const one = globToRegExp("/api/v1/namespaces/*/pods");
    expect(one.test("/api/v1/namespaces/default/pods")).toBe(true);
    expect(one.test("/api/v1/namespaces/default/pods/")).toBe(true);
    expect(one.test("/api/v1/namespaces/a/b/pods")).toBe(false);
    expect(one.test("/api/v1/namespaces/default/pods/web")).toBe(false);
    const any = globToRegExp("/apis/apps/**");
    expect(any.test("/apis/apps/v1/namespaces/x/deployments/d")).toBe(true);
    expect(any.test("/apis/batch/v1/jobs")).toBe(false);
    expect(globToRegExp("/api/v1/pods.x").test("/api/v1/podsAx")).toBe(false);
  });
});

describe("FaultMatcher", () => {
  it("matches verb, method and path, and fires `times` times after `after`", () => {
    const m = matcher([
      {
        match: { verb: "list", path: "/api/v1/namespaces/*/pods", after: 1, times: 2 },
        fault: { status: 429, retryAfterSeconds: 1 },
      },
    ]);
    const list = req("list", "/api/v1/namespaces/default/pods");
    expect(m.decide(req("get", "/api/v1/namespaces/default/pods/web"))).toEqual([]);
    expect(m.decide(req("list", "/api/v1/namespaces/default/services"))).toEqual([]);
    expect(m.decide(list)).toEqual([]); // after: 1
    expect(m.decide(list)).toHaveLength(1);
    expect(m.decide(list)).toEqual([{ label: "#0", fault: { status: 429, retryAfterSeconds: 1 } }]);
    expect(m.decide(list)).toEqual([]); // times: 2 used up
    expect(m.counts()).toEqual({ "#0": 2 });
  });

  it("takes lists of verbs, methods and paths; * matches any verb", () => {
    const m = matcher([
      {
        name: "writes",
        match: { verb: ["create", "update"], method: "post" },
        fault: { status: 500 },
      },
      { match: { verb: "*", path: ["/version", "/api"] }, fault: { status: 503 } },
    ]);
    expect(m.decide(req("create", "/api/v1/namespaces/x/pods", "POST"))[0]?.label).toBe("writes");
    expect(m.decide(req("update", "/api/v1/namespaces/x/pods/p", "PUT"))).toEqual([]);
    expect(m.decide(req("get", "/version"))[0]?.label).toBe("#1");
    expect(m.decide(req("get", "/api"))[0]?.label).toBe("#1");
    expect(m.decide(req("get", "/apis"))).toEqual([]);
  });

  it("gives the same decisions for the same seed, other ones for another seed", () => {
    const plan = (seed: number): FaultPlan => ({
      seed,
      rules: [{ match: { probability: 0.5 }, fault: { status: 500 } }],
    });
    const run = (seed: number) => {
      const m = matcher(plan(seed));
      return Array.from({ length: 64 }, () => m.decide(req("get", "/api")).length);
    };
    const first = run(42);
    expect(run(42)).toEqual(first);
    expect(run(7)).not.toEqual(first);
    const fired = first.filter(Boolean).length;
    expect(fired).toBeGreaterThan(16);
    expect(fired).toBeLessThan(48);
    // probability 0 never fires, 1 always
    const never = matcher([{ match: { probability: 0 }, fault: { status: 500 } }]);
    expect(Array.from({ length: 20 }, () => never.decide(req("get", "/api")).length)).toEqual(
      Array(20).fill(0),
    );
  });

  it("draws each rule from its own stream: adding a rule before does not change a rule's decisions", () => {
    const target = { match: { path: "/api", probability: 0.3 }, fault: { status: 500 } };
    const alone = matcher({
      seed: 3,
      rules: [{ match: { path: "/x" }, fault: { delayMs: 1 } }, target],
    });
    const withOther = matcher({
      seed: 3,
      rules: [{ match: { path: "/x", probability: 0.5 }, fault: { delayMs: 1 } }, target],
    });
    const seq = (m: FaultMatcher) =>
      Array.from({ length: 30 }, (_, i) => {
        m.decide(req("get", "/x"));
        return m.decide(req("get", "/api")).length + i * 0;
      });
    expect(seq(withOther)).toEqual(seq(alone));
  });

  it("adds up delays and stops at the first other fault", () => {
    const m = matcher([
      { fault: { delayMs: 10 } },
      { fault: { delayMs: 5 } },
      { fault: { status: 500 } },
      { fault: { status: 503 } },
    ]);
    expect(m.decide(req("get", "/api")).map((f) => f.label)).toEqual(["#0", "#1", "#2"]);
    expect(m.counts()).toEqual({ "#0": 1, "#1": 1, "#2": 1, "#3": 0 });
  });

  it("applies watch faults to watches only", () => {
    const m = matcher([{ fault: { watchGone: true } }, { fault: { cutWatchAfterEvents: 1 } }]);
    expect(m.decide(req("list", "/api/v1/pods"))).toEqual([]);
    expect(m.decide(req("watch", "/api/v1/pods"))[0]?.label).toBe("#0");
  });
});

describe("normalizePlan", () => {
  it("accepts a list or { seed, rules }", () => {
    expect(normalizePlan([{ fault: { stall: true } }])).toEqual({
      seed: 1,
      rules: [{ fault: { stall: true } }],
    });
    expect(normalizePlan({ seed: 9, rules: [] }).seed).toBe(9);
  });

  it.each([
    [{ rules: [{ fault: {} }] }, "fault plan rule 0: no fault"],
    [[{ fault: { status: 429, stall: true } }], "rule 0: one fault per rule, not status and stall"],
    [[{ fault: { delayMs: 1 } }, { fault: { sttus: 500 } }], 'rule 1: unknown field "fault.sttus"'],
    [
      [{ match: { probability: 2 }, fault: { stall: true } }],
      '"match.probability" must be a number from 0 to 1',
    ],
    [
      [{ match: { times: -1 }, fault: { stall: true } }],
      '"match.times" must be a whole number ≥ 0',
    ],
    [
      [{ match: { verb: 3 }, fault: { stall: true } }],
      '"match.verb" must be a string or a list of strings',
    ],
    [[{ fault: { status: 200 } }], '"fault.status" must be an HTTP error status'],
    [
      [{ fault: { delayMs: 1, retryAfterSeconds: 1 } }],
      '"fault.retryAfterSeconds" and "fault.message" go with "fault.status"',
    ],
    [{ seed: 1.5, rules: [] }, '"seed" must be an integer'],
    [{ rulez: [] }, 'unknown field "rulez"'],
    ["nope", "expected a list of rules"],
  ])("rejects %j", (plan, message) => {
    expect(() => normalizePlan(plan)).toThrow(FaultPlanError);
    expect(() => normalizePlan(plan)).toThrow(message);
  });
});

describe("seededRandom", () => {
  it("is reproducible and in [0, 1)", () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
