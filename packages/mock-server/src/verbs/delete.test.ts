import { describe, expect, it } from "vitest";
import { deployment, pod, setup } from "../../test/call.js";

const PODS = "/api/v1/namespaces/default/pods";
const CMS = "/api/v1/namespaces/default/configmaps";

describe("delete", () => {
  it("pods answer with the object, configmaps with a Success Status", async () => {
    const { call } = setup();
    await call("POST", PODS, pod("p"));
    await call("POST", CMS, { metadata: { name: "c" } });
    expect((await call("DELETE", `${PODS}/p`)).json.kind).toBe("Pod");
    expect((await call("DELETE", `${CMS}/c`)).json).toMatchObject({
      kind: "Status",
      status: "Success",
      details: { name: "c", kind: "configmaps" },
    });
    expect((await call("DELETE", `${CMS}/c`)).json.message).toBe('configmaps "c" not found');
  });

  it("keeps an object with finalizers until they are removed", async () => {
    const { call } = setup();
    await call("POST", CMS, { metadata: { name: "c", finalizers: ["example.com/hold"] } });
    const marked = await call("DELETE", `${CMS}/c`);
    expect(marked.status).toBe(200);
    expect(marked.json.metadata.deletionTimestamp).toBeDefined();
    const live = (await call("GET", `${CMS}/c`)).json;
    expect(live.metadata.deletionTimestamp).toBeDefined();
    await call("PUT", `${CMS}/c`, { ...live, metadata: { ...live.metadata, finalizers: [] } });
    expect((await call("GET", `${CMS}/c`)).status).toBe(404);
  });

  it("checks preconditions", async () => {
    const { call } = setup();
    await call("POST", CMS, { metadata: { name: "c" } });
    const wrong = await call("DELETE", `${CMS}/c`, { preconditions: { uid: "nope" } });
    expect(wrong.json).toMatchObject({
      code: 409,
      message: expect.stringMatching(
        /^Operation cannot be fulfilled on configmaps "c": Precondition failed: UID in precondition: nope, UID in object meta: /,
      ),
    });
  });

  it("cascades to dependents (background), orphans them on request", async () => {
    const { call } = setup();
    const owner = (
      await call("POST", "/apis/apps/v1/namespaces/default/deployments", deployment("web"))
    ).json;
    const ref = { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: owner.metadata.uid };
    await call("POST", PODS, {
      ...pod("child"),
      metadata: { name: "child", ownerReferences: [ref] },
    });
    await call("DELETE", "/apis/apps/v1/namespaces/default/deployments/web", {
      propagationPolicy: "Background",
    });
    expect((await call("GET", `${PODS}/child`)).status).toBe(404);

    const owner2 = (
      await call("POST", "/apis/apps/v1/namespaces/default/deployments", deployment("web2"))
    ).json;
    await call("POST", PODS, {
      ...pod("kept"),
      metadata: {
        name: "kept",
        ownerReferences: [{ ...ref, name: "web2", uid: owner2.metadata.uid }],
      },
    });
    await call(
      "DELETE",
      "/apis/apps/v1/namespaces/default/deployments/web2?propagationPolicy=Orphan",
    );
    const kept = await call("GET", `${PODS}/kept`);
    expect(kept.status).toBe(200);
    expect(kept.json.metadata.ownerReferences).toBeUndefined();
    expect((await call("GET", "/apis/apps/v1/namespaces/default/deployments/web2")).status).toBe(
      404,
    );
  });

  it("deletes pods on a node gracefully; gracePeriodSeconds=0 at once", async () => {
    const { api, call } = setup();
    await call("POST", PODS, pod("p", {}, { nodeName: "n1" }));
    const graceful = await call("DELETE", `${PODS}/p`);
    expect(graceful.json.metadata.deletionGracePeriodSeconds).toBe(30);
    expect((await call("GET", `${PODS}/p`)).status).toBe(200);
    await call("DELETE", `${PODS}/p?gracePeriodSeconds=0`);
    expect((await call("GET", `${PODS}/p`)).status).toBe(404);
    api.close();
  });

  it("namespaces: protected ones refuse, others terminate and refuse new content", async () => {
    const { call } = setup();
    expect((await call("DELETE", "/api/v1/namespaces/default")).json).toMatchObject({
      code: 403,
      message: 'namespaces "default" is forbidden: this namespace may not be deleted',
    });
    await call("POST", "/api/v1/namespaces", { metadata: { name: "tmp" } });
    await call("POST", "/api/v1/namespaces/tmp/configmaps", {
      metadata: { name: "held", finalizers: ["x/y"] },
    });
    const terminating = await call("DELETE", "/api/v1/namespaces/tmp");
    expect(terminating.json.status.phase).toBe("Terminating");
    const refused = await call("POST", "/api/v1/namespaces/tmp/configmaps", {
      metadata: { name: "new" },
    });
    expect(refused.json).toMatchObject({
      code: 403,
      message:
        'configmaps "new" is forbidden: unable to create new content in namespace tmp because it is being terminated',
    });
    const held = (await call("GET", "/api/v1/namespaces/tmp/configmaps/held")).json;
    await call("PUT", "/api/v1/namespaces/tmp/configmaps/held", {
      ...held,
      metadata: { ...held.metadata, finalizers: [] },
    });
    expect((await call("GET", "/api/v1/namespaces/tmp")).status).toBe(404);
  });

  it("deletecollection with a selector answers the deleted items", async () => {
    const { call } = setup();
    await call("POST", CMS, { metadata: { name: "a", labels: { x: "1" } } });
    await call("POST", CMS, { metadata: { name: "b" } });
    const gone = await call("DELETE", `${CMS}?labelSelector=x%3D1`);
    expect(gone.json.kind).toBe("ConfigMapList");
    expect(gone.json.items.map((i: any) => i.metadata.name)).toEqual(["a"]);
    expect((await call("GET", CMS)).json.items.map((i: any) => i.metadata.name)).toEqual(["b"]);
  });
});
