import { describe, expect, it } from "vitest";
import { deployment, pod, setup } from "../../test/call.js";

const DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";

describe("create", () => {
  it("sets the metadata the server owns", async () => {
    const { call } = setup();
    const { status, json } = await call("POST", DEPLOYMENTS, deployment("web"));
    expect(status).toBe(201);
    expect(json.metadata).toMatchObject({ name: "web", namespace: "default", generation: 1 });
    expect(json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(json.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(json.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(json.metadata.managedFields[0]).toMatchObject({
      operation: "Update",
      apiVersion: "apps/v1",
    });
    expect(json.status).toEqual({});
  });

  it("gives generateName a random suffix and pods a Pending status", async () => {
    const { call } = setup();
    const { json } = await call("POST", "/api/v1/namespaces/default/pods", {
      ...pod(""),
      metadata: { generateName: "web-" },
      status: { phase: "Running" },
    });
    expect(json.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(json.status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
  });

  it("answers the real errors: bad name, missing or terminating namespace, taken name", async () => {
    const { call } = setup();
    const bad = await call("POST", DEPLOYMENTS, deployment("Web_1"));
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({
      reason: "Invalid",
      message: expect.stringMatching(
        /^Deployment\.apps "Web_1" is invalid: metadata\.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain/,
      ),
      details: {
        name: "Web_1",
        group: "apps",
        kind: "Deployment",
        causes: [{ reason: "FieldValueInvalid", field: "metadata.name" }],
      },
    });
    const missing = await call(
      "POST",
      "/apis/apps/v1/namespaces/nope/deployments",
      deployment("web"),
    );
    expect(missing.json).toMatchObject({
      code: 404,
      message: 'namespaces "nope" not found',
      details: { name: "nope", kind: "namespaces" },
    });
    await call("POST", DEPLOYMENTS, deployment("web"));
    const taken = await call("POST", DEPLOYMENTS, deployment("web"));
    expect(taken.json).toMatchObject({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      code: 409,
      reason: "AlreadyExists",
      message: 'deployments.apps "web" already exists',
      details: { name: "web", group: "apps", kind: "deployments" },
    });
  });

  it("serves cluster-scoped kinds of every group", async () => {
    const { call } = setup();
    const created = await call("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", {
      metadata: { name: "system:reader" },
      rules: [],
    });
    expect(created.status).toBe(201);
    expect(created.json.metadata.namespace).toBeUndefined();
    const got = await call("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:reader");
    expect(got.json.kind).toBe("ClusterRole");
  });

  it("dryRun=All validates without storing", async () => {
    const { call } = setup();
    const dry = await call("POST", `${DEPLOYMENTS}?dryRun=All`, deployment("web"));
    expect(dry.status).toBe(201);
    expect((await call("GET", `${DEPLOYMENTS}/web`)).status).toBe(404);
    const wrong = await call("POST", `${DEPLOYMENTS}?dryRun=Some`, deployment("web"));
    expect(wrong.json).toMatchObject({
      code: 422,
      message:
        'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: "Some": supported values: "All"',
    });
  });

  it("fieldValidation: Warn (default) warns, Strict refuses, Ignore is silent", async () => {
    const { call } = setup();
    const body = { ...pod("a"), spec: { containers: [{ name: "c", image: "x", bogus: 1 }] } };
    const warned = await call("POST", "/api/v1/namespaces/default/pods", body);
    expect(warned.status).toBe(201);
    expect(warned.headers.get("warning")).toBe(
      '299 - "unknown field \\"spec.containers[0].bogus\\""',
    );
    const strict = await call("POST", "/api/v1/namespaces/default/pods?fieldValidation=Strict", {
      ...body,
      metadata: { name: "b" },
    });
    expect(strict.json).toMatchObject({
      code: 400,
      message:
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].bogus"',
    });
    const ignored = await call("POST", "/api/v1/namespaces/default/pods?fieldValidation=Ignore", {
      ...body,
      metadata: { name: "c" },
    });
    expect(ignored.headers.get("warning")).toBeNull();
  });
});

describe("update", () => {
  it("bumps resourceVersion always, generation only on spec changes, and refuses stale versions", async () => {
    const { call } = setup();
    const created = (await call("POST", DEPLOYMENTS, deployment("web"))).json;
    const labelled = await call("PUT", `${DEPLOYMENTS}/web`, {
      ...created,
      metadata: { ...created.metadata, labels: { a: "b" } },
    });
    expect(labelled.status).toBe(200);
    expect(labelled.json.metadata.generation).toBe(1);
    expect(Number(labelled.json.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    const scaled = await call("PUT", `${DEPLOYMENTS}/web`, {
      ...labelled.json,
      spec: { ...labelled.json.spec, replicas: 5 },
    });
    expect(scaled.json.metadata.generation).toBe(2);
    const stale = await call("PUT", `${DEPLOYMENTS}/web`, created);
    expect(stale.json).toMatchObject({
      code: 409,
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: "web", group: "apps", kind: "deployments" },
    });
    const missing = await call("PUT", `${DEPLOYMENTS}/nope`, deployment("nope"));
    expect(missing.json).toMatchObject({ code: 404, message: 'deployments.apps "nope" not found' });
    const renamed = await call("PUT", `${DEPLOYMENTS}/web`, deployment("other"));
    expect(renamed.json.message).toBe(
      "the name of the object (other) does not match the name on the URL (web)",
    );
  });

  it("a no-op update keeps the resourceVersion", async () => {
    const { call } = setup();
    const created = (
      await call("POST", "/api/v1/namespaces/default/configmaps", {
        metadata: { name: "c" },
        data: { a: "1" },
      })
    ).json;
    const again = await call("PUT", "/api/v1/namespaces/default/configmaps/c", created);
    expect(again.json.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it("ignores status on the main resource and spec on /status", async () => {
    const { call } = setup();
    const created = (await call("POST", DEPLOYMENTS, deployment("web"))).json;
    const main = await call("PUT", `${DEPLOYMENTS}/web`, { ...created, status: { replicas: 9 } });
    expect(main.json.status).toEqual({});
    const status = await call("PUT", `${DEPLOYMENTS}/web/status`, {
      ...main.json,
      spec: { ...main.json.spec, replicas: 7 },
      status: { replicas: 3 },
    });
    expect(status.status).toBe(200);
    expect(status.json.spec.replicas).toBe(2);
    expect(status.json.status).toEqual({ replicas: 3 });
    expect(status.json.metadata.generation).toBe(1);
    const got = await call("GET", `${DEPLOYMENTS}/web/status`);
    expect(got.json.status).toEqual({ replicas: 3 });
  });
});

describe("patch", () => {
  it("applies merge, JSON and strategic merge patches", async () => {
    const { call } = setup();
    await call("POST", DEPLOYMENTS, deployment("web"));
    const merge = await call(
      "PATCH",
      `${DEPLOYMENTS}/web`,
      { spec: { replicas: 4 } },
      { "content-type": "application/merge-patch+json" },
    );
    expect(merge.json.spec.replicas).toBe(4);
    expect(merge.json.metadata.generation).toBe(2);
    const json = await call(
      "PATCH",
      `${DEPLOYMENTS}/web`,
      [{ op: "replace", path: "/spec/replicas", value: 1 }],
      { "content-type": "application/json-patch+json" },
    );
    expect(json.json.spec.replicas).toBe(1);
    const strategic = await call(
      "PATCH",
      `${DEPLOYMENTS}/web`,
      { spec: { template: { spec: { containers: [{ name: "sidecar", image: "envoy" }] } } } },
      { "content-type": "application/strategic-merge-patch+json" },
    );
    expect(
      strategic.json.spec.template.spec.containers.map((c: { name: string }) => c.name),
    ).toEqual(["sidecar", "c"]);
    const unknown = await call("PATCH", `${DEPLOYMENTS}/web`, {}, { "content-type": "text/plain" });
    expect(unknown.status).toBe(415);
  });

  it("server-side apply creates, records managers, and reports conflicts unless forced", async () => {
    const { call } = setup();
    const apply = (manager: string, body: string, force = false) =>
      call(
        "PATCH",
        `/api/v1/namespaces/default/configmaps/cfg?fieldManager=${manager}${force ? "&force=true" : ""}`,
        body,
        {
          "content-type": "application/apply-patch+yaml",
        },
      );
    const created = await apply(
      "alice",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: '1'\n",
    );
    expect(created.status).toBe(201);
    expect(created.json.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: "alice", operation: "Apply" }),
    ]);
    const conflict = await apply(
      "bob",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: '2'\n",
    );
    expect(conflict.json).toMatchObject({
      code: 409,
      reason: "Conflict",
      message: expect.stringContaining('conflict with "alice"'),
    });
    const forced = await apply(
      "bob",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: '2'\n",
      true,
    );
    expect(forced.json.data).toEqual({ a: "2" });
    const noManager = await call("PATCH", "/api/v1/namespaces/default/configmaps/cfg", "{}", {
      "content-type": "application/apply-patch+yaml",
    });
    expect(noManager.json.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });
});

describe("scale", () => {
  it("reads and writes autoscaling/v1 Scale for deployments", async () => {
    const { call } = setup();
    await call("POST", DEPLOYMENTS, deployment("web", 2));
    const scale = await call("GET", `${DEPLOYMENTS}/web/scale`);
    expect(scale.json).toMatchObject({
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: { name: "web", namespace: "default" },
      spec: { replicas: 2 },
      status: { replicas: 0, selector: "app=web" },
    });
    const put = await call("PUT", `${DEPLOYMENTS}/web/scale`, {
      ...scale.json,
      spec: { replicas: 6 },
    });
    expect(put.json.spec.replicas).toBe(6);
    const patched = await call(
      "PATCH",
      `${DEPLOYMENTS}/web/scale`,
      { spec: { replicas: 3 } },
      { "content-type": "application/merge-patch+json" },
    );
    expect(patched.json.spec.replicas).toBe(3);
    expect((await call("GET", `${DEPLOYMENTS}/web`)).json.spec.replicas).toBe(3);
    const stale = await call("PUT", `${DEPLOYMENTS}/web/scale`, scale.json);
    expect(stale.status).toBe(409);
  });
});
