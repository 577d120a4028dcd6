import { describe, expect, it } from "vitest";
import { type Readiness, report, watchConfigMaps } from "./app.js";
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
