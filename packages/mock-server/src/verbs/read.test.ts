import { describe, expect, it } from "vitest";
import { pod, setup } from "../../test/call.js";

const PODS = "/api/v1/namespaces/default/pods";

describe("list", () => {
  it("paginates with limit/continue, remainingItemCount, at the first page's resourceVersion", async () => {
    const { api, call } = setup();
    api.seed(
      ["a", "b", "c", "d", "e"].map((n) => ({
        ...pod(n),
        metadata: { name: n, namespace: "default" },
      })),
    );
    const first = await call("GET", `${PODS}?limit=2`);
    expect(first.json.items.map((p: any) => p.metadata.name)).toEqual(["a", "b"]);
    expect(first.json.items[0].kind).toBeUndefined();
    expect(first.json.metadata.remainingItemCount).toBe(3);
    await call("DELETE", `${PODS}/c`);
    const second = await call("GET", `${PODS}?limit=2&continue=${first.json.metadata.continue}`);
    // A consistent snapshot: c was deleted after the first page, yet the continuation still lists it.
    expect(second.json.items.map((p: any) => p.metadata.name)).toEqual(["c", "d"]);
    expect(second.json.metadata.resourceVersion).toBe(first.json.metadata.resourceVersion);
  });

  it("expires continue tokens after a compaction (410 Expired)", async () => {
    const { api, call } = setup();
    api.seed(
      ["a", "b", "c"].map((n) => ({ ...pod(n), metadata: { name: n, namespace: "default" } })),
    );
    const first = await call("GET", `${PODS}?limit=1`);
    await call("POST", PODS, pod("z"));
    api.compact();
    const expired = await call("GET", `${PODS}?limit=1&continue=${first.json.metadata.continue}`);
    expect(expired.json).toMatchObject({
      code: 410,
      reason: "Expired",
      message: expect.stringMatching(/^The provided continue parameter is too old/),
    });
    const garbage = await call("GET", `${PODS}?continue=xyz`);
    expect(garbage.status).toBe(400);
  });

  it("resourceVersion / resourceVersionMatch: Exact lists the past, bad combinations are 422", async () => {
    const { call } = setup();
    const a = (await call("POST", PODS, pod("a"))).json;
    await call("POST", PODS, pod("b"));
    const exact = await call(
      "GET",
      `${PODS}?resourceVersion=${a.metadata.resourceVersion}&resourceVersionMatch=Exact`,
    );
    expect(exact.json.items.map((p: any) => p.metadata.name)).toEqual(["a"]);
    expect(exact.json.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    const notOlder = await call(
      "GET",
      `${PODS}?resourceVersion=${a.metadata.resourceVersion}&resourceVersionMatch=NotOlderThan`,
    );
    expect(notOlder.json.items).toHaveLength(2);
    const forbidden = await call("GET", `${PODS}?resourceVersionMatch=Exact`);
    expect(forbidden.json).toMatchObject({
      code: 422,
      message:
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    });
    const future = await call(
      "GET",
      `${PODS}?resourceVersion=99999&resourceVersionMatch=NotOlderThan`,
    );
    expect(future.json).toMatchObject({ code: 504, reason: "Timeout" });
    // rv=0 is served from the watch cache, which ignores limit in 1.28.
    const cached = await call("GET", `${PODS}?resourceVersion=0&limit=1`);
    expect(cached.json.items).toHaveLength(2);
    expect(cached.json.metadata.continue).toBeUndefined();
  });

  it("field selectors per kind, with the real messages for unsupported ones", async () => {
    const { api, call } = setup();
    api.seed([
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s1", namespace: "default" },
        type: "kubernetes.io/tls",
      },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s2", namespace: "default" },
        type: "Opaque",
      },
      {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: "e1", namespace: "default" },
        involvedObject: { kind: "Pod", name: "web" },
      },
      { ...pod("p1", {}, { nodeName: "n1" }), metadata: { name: "p1", namespace: "default" } },
      { ...pod("p2"), metadata: { name: "p2", namespace: "default" } },
    ]);
    const names = async (path: string) =>
      (await call("GET", path)).json.items.map((o: any) => o.metadata.name);
    expect(await names("/api/v1/secrets?fieldSelector=type%3Dkubernetes.io/tls")).toEqual(["s1"]);
    expect(
      await names(
        "/api/v1/events?fieldSelector=involvedObject.kind%3DPod,involvedObject.name%3Dweb",
      ),
    ).toEqual(["e1"]);
    expect(await names(`${PODS}?fieldSelector=spec.nodeName%3Dn1`)).toEqual(["p1"]);
    expect(await names(`${PODS}?fieldSelector=spec.nodeName%3D`)).toEqual(["p2"]);
    const configmaps = await call("GET", "/api/v1/configmaps?fieldSelector=data.x%3Dy");
    expect(configmaps.json).toMatchObject({
      code: 400,
      message: '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
    });
    const badLabel = await call("GET", `${PODS}?labelSelector=a%20in%20b`);
    expect(badLabel.status).toBe(400);
  });
});

describe("get", () => {
  it("answers 404 with the resource's qualified name", async () => {
    const { call } = setup();
    expect((await call("GET", `${PODS}/x`)).json).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'pods "x" not found',
      reason: "NotFound",
      details: { name: "x", kind: "pods" },
      code: 404,
    });
    expect((await call("GET", "/api/v1/namespaces/x")).json.message).toBe(
      'namespaces "x" not found',
    );
    expect((await call("GET", "/api/v1/namespaces/default/widgets")).json.message).toBe(
      "the server could not find the requested resource",
    );
  });
});
