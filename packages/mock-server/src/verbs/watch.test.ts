import { describe, expect, it } from "vitest";
import { pod, setup } from "../../test/call.js";

const PODS = "/api/v1/namespaces/default/pods";

describe("watch", () => {
  it("starts with synthetic ADDED for rv unset, then ADDED/MODIFIED/DELETED as they happen", async () => {
    const { api, call, watch } = setup();
    await call("POST", PODS, pod("old"));
    const events = await watch(`${PODS}?watch=true`, 4, async () => {
      const created = (await call("POST", PODS, pod("new"))).json;
      await call("PUT", `${PODS}/new`, {
        ...created,
        metadata: { ...created.metadata, labels: { x: "y" } },
      });
      await call("DELETE", `${PODS}/new`);
    });
    expect(events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual([
      "ADDED:old",
      "ADDED:new",
      "MODIFIED:new",
      "DELETED:new",
    ]);
    expect(Number(events[3].object.metadata.resourceVersion)).toBeGreaterThan(
      Number(events[2].object.metadata.resourceVersion),
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(api.watchCount).toBe(0);
  });

  it("replays from a resourceVersion with each object as it was then", async () => {
    const { call, watch } = setup();
    const a = (await call("POST", PODS, pod("a"))).json;
    const v1 = (
      await call("PUT", `${PODS}/a`, { ...a, metadata: { ...a.metadata, labels: { v: "1" } } })
    ).json;
    await call("PUT", `${PODS}/a`, { ...v1, metadata: { ...v1.metadata, labels: { v: "2" } } });
    const events = await watch(`${PODS}?watch=1&resourceVersion=${a.metadata.resourceVersion}`, 2);
    expect(events.map((e) => [e.type, e.object.metadata.labels.v])).toEqual([
      ["MODIFIED", "1"],
      ["MODIFIED", "2"],
    ]);
  });

  it("answers 410 for versions from before the server started (the watch cache's first list)", async () => {
    const { watch } = setup();
    const [event] = await watch(`${PODS}?watch=1&resourceVersion=1`, 1);
    expect(event.object).toMatchObject({ code: 410, reason: "Expired" });
  });

  it("sends an ERROR 410 event when the version is older than the history window", async () => {
    const { call, watch } = setup({ historySize: 2 });
    for (const n of ["a", "b", "c", "d"]) await call("POST", PODS, pod(n));
    const [event] = await watch(`${PODS}?watch=1&resourceVersion=2`, 1);
    expect(event).toMatchObject({
      type: "ERROR",
      object: {
        kind: "Status",
        code: 410,
        reason: "Expired",
        message: expect.stringMatching(/^too old resource version: 2 \(\d+\)$/),
      },
    });
  });

  it("turns objects entering and leaving a selector into ADDED and DELETED", async () => {
    const { call, watch } = setup();
    const a = (await call("POST", PODS, pod("a"))).json;
    const events = await watch(`${PODS}?watch=1&labelSelector=app%3Dweb`, 2, async () => {
      const v = (
        await call("PUT", `${PODS}/a`, {
          ...a,
          metadata: { ...a.metadata, labels: { app: "web" } },
        })
      ).json;
      await call("PUT", `${PODS}/a`, { ...v, metadata: { ...v.metadata, labels: { app: "db" } } });
    });
    expect(events.map((e) => e.type)).toEqual(["ADDED", "DELETED"]);
    // The DELETED object is its last matching state, with the new resourceVersion.
    expect(events[1].object.metadata.labels).toEqual({ app: "web" });
  });

  it("watch-list: sendInitialEvents ends with the initial-events-end bookmark; periodic bookmarks", async () => {
    const { call, watch } = setup({ bookmarkIntervalMs: 20 });
    await call("POST", PODS, pod("a"));
    const events = await watch(
      `${PODS}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
      3,
    );
    expect(events[0]).toMatchObject({ type: "ADDED", object: { metadata: { name: "a" } } });
    expect(events[1]).toMatchObject({
      type: "BOOKMARK",
      object: {
        kind: "Pod",
        apiVersion: "v1",
        metadata: { annotations: { "k8s.io/initial-events-end": "true" } },
      },
    });
    expect(events[2].type).toBe("BOOKMARK");
    const invalid = await call("GET", `${PODS}?watch=1&sendInitialEvents=true`);
    expect(invalid.json.code).toBe(422);
  });

  it("ends at timeoutSeconds", async () => {
    const { api, watch } = setup();
    const started = Date.now();
    const rv = api.resourceVersion;
    expect(await watch(`${PODS}?watch=1&resourceVersion=${rv}&timeoutSeconds=1`, 10)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
