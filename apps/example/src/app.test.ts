import { describe, expect, it } from "vitest";
import { type Readiness, report, reportWhenReachable, watchConfigMaps } from "./app.js";
import { createLogger } from "./log.js";
import type { Cluster, ConfigMapEvent } from "./modes/cluster.js";

function logged() {
  const entries: Record<string, unknown>[] = [];
  const log = createLogger({
    level: "info",
    pretty: false,
    mode: "client",
    destination: { write: (line: string) => entries.push(JSON.parse(line)) },
  });
  return { log, entries };
}

/** A cluster whose watches play the given scripts in turn: events, then an error or the end. */
function scriptedCluster(
  watches: (ConfigMapEvent | Error)[][],
  onList: () => void = () => {},
  overrides: Partial<Cluster> = {},
): Cluster {
  let list = 0;
  return {
    namespace: "ns",
    server: "https://10.96.0.1:443",
    apiVersions: async () => ["v1"],
    whoAmI: async () => ({
      username: "system:serviceaccount:ns:app",
      groups: ["system:authenticated"],
    }),
    pods: async () => [
      { name: "a", phase: "Running" },
      { name: "b", phase: "Pending" },
    ],
    configMaps: async () => {
      onList();
      return { resourceVersion: String(++list * 100), names: ["x"] };
    },
    async *watchConfigMaps(_resourceVersion, signal) {
      const script = watches.shift();
      if (!script) {
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
        return;
      }
      for (const step of script) {
        if (step instanceof Error) throw step;
        yield step;
      }
    },
    close: async () => {},
    ...overrides,
  };
}

const event = (type: ConfigMapEvent["type"], resourceVersion: string): ConfigMapEvent => ({
  type,
  name: "x",
  resourceVersion,
  keys: ["k"],
});

describe("report", () => {
  it("logs the API versions, the identity, and each pod", async () => {
    const { log, entries } = logged();
    await report(scriptedCluster([]), log);
    expect(
      entries.map(({ msg, versions, username, count, name, phase }) => ({
        msg,
        versions,
        username,
        count,
        name,
        phase,
      })),
    ).toEqual([
      { msg: "API versions", versions: ["v1"] },
      { msg: "identity", username: "system:serviceaccount:ns:app" },
      { msg: "pods", count: 2 },
      { msg: "pod", name: "a", phase: "Running" },
      { msg: "pod", name: "b", phase: "Pending" },
    ]);
  });
});

describe("reportWhenReachable", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8001"), {
    code: "ECONNREFUSED",
  });

  it("retries while the server cannot be reached, saying why in /readyz, then reports", async () => {
    const { log, entries } = logged();
    const readiness: Readiness = { ready: false, reason: "starting" };
    let calls = 0;
    const cluster = scriptedCluster([], undefined, {
      apiVersions: async () => {
        if (++calls === 1) throw refused;
        return ["v1"];
      },
    });
    const reasons: string[] = [];
    const watching = setInterval(() => reasons.push(readiness.reason), 100);
    expect(await reportWhenReachable(cluster, log, readiness, new AbortController().signal)).toBe(
      true,
    );
    clearInterval(watching);
    expect(reasons).toContain("API server not reachable: connect ECONNREFUSED 127.0.0.1:8001");
    expect(entries[0]).toMatchObject({
      level: "warn",
      msg: "API server not reachable yet",
      retryInMs: 1000,
    });
    expect(entries[1]).toMatchObject({ msg: "API versions", versions: ["v1"] });
  });

  it("gives up at once on a refusal, and at SIGTERM while waiting", async () => {
    const { log } = logged();
    const forbidden = Object.assign(
      new Error("GET /api/v1/namespaces/ns/pods → 403: pods is forbidden"),
      { code: 403 },
    );
    const readiness: Readiness = { ready: false, reason: "starting" };
    const denied = scriptedCluster([], undefined, { pods: () => Promise.reject(forbidden) });
    await expect(
      reportWhenReachable(denied, log, readiness, new AbortController().signal),
    ).rejects.toBe(forbidden);
    const stop = new AbortController();
    const unreachable = scriptedCluster([], undefined, {
      apiVersions: () => Promise.reject(refused),
    });
    const waiting = reportWhenReachable(unreachable, log, readiness, stop.signal);
    setTimeout(() => stop.abort(), 50);
    expect(await waiting).toBe(false);
  });

  it("goes on without an identity on a server without SelfSubjectReview (404)", async () => {
    const { log, entries } = logged();
    const notFound = Object.assign(
      new Error("POST /apis/authentication.k8s.io/v1/selfsubjectreviews → 404: not found"),
      { code: 404 },
    );
    await report(scriptedCluster([], undefined, { whoAmI: () => Promise.reject(notFound) }), log);
    expect(entries.map((e) => [e.level, e.msg])).toEqual([
      ["info", "API versions"],
      ["warn", "identity unknown: this server has no SelfSubjectReview (Kubernetes < 1.28)"],
      ["info", "pods"],
      ["info", "pod"],
      ["info", "pod"],
    ]);
  });
});

describe("watchConfigMaps", () => {
  it("logs each change, lists again after a 410, retries a failure, and stops on abort", async () => {
    const { log, entries } = logged();
    const readiness: Readiness = { ready: false, reason: "starting" };
    const stop = new AbortController();
    const gone = Object.assign(new Error("too old resource version: 100 (150)"), { code: 410 });
    let lists = 0;
    const states: boolean[] = [];
    const cluster = scriptedCluster(
      [
        [event("ADDED", "101"), event("MODIFIED", "102"), gone],
        [event("DELETED", "201"), new Error("connect ECONNREFUSED 10.96.0.1:443")],
      ],
      () => {
        lists++;
        states.push(readiness.ready);
      },
    );
    const running = watchConfigMaps(cluster, log, readiness, stop.signal);
    await expect.poll(() => lists, { timeout: 3_000 }).toBe(3);
    expect(readiness).toEqual({ ready: true, reason: "watching config maps" });
    // Not ready while the watch is failing (the third list comes after the failure).
    expect(states).toEqual([false, true, false]);
    stop.abort();
    await running;
    expect(entries.map((e) => [e.level, e.msg, e.resourceVersion ?? ""])).toEqual([
      ["info", "watching config maps", "100"],
      ["info", "config map added", "101"],
      ["info", "config map modified", "102"],
      ["warn", "watch expired (410 Gone): listing again", ""],
      ["info", "watching config maps", "200"],
      ["info", "config map deleted", "201"],
      ["error", "watching config maps failed", ""],
      ["info", "watching config maps", "300"],
    ]);
    expect(entries[6]).toMatchObject({
      retryInMs: 1000,
      err: { message: "connect ECONNREFUSED 10.96.0.1:443" },
    });
  });
});
