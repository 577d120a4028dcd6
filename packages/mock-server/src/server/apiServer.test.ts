import type { KubeObject } from "@kin/resources";
import { describe, expect, it } from "vitest";
import { createApiServer } from "./apiServer.js";

const base = "https://kubernetes.default.svc";

function setup() {
  const api = createApiServer();
  const token = api.issueToken();
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    auth: string | null = `Bearer ${token}`,
  ) => {
    const headers = new Headers({ "content-type": "application/json" });
    if (auth !== null) headers.set("authorization", auth);
    const response = await api.handle(
      new Request(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, json };
  };
  return { api, token, call };
}

const pod = (name: string, labels: Record<string, string> = {}, extra: object = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels },
  spec: { containers: [{ name: "c", image: "busybox" }] },
  ...extra,
});

describe("discovery documents", () => {
  it("answers GET /api with the shape the Kubernetes docs show", async () => {
    const { call } = setup();
    const { status, json } = await call("GET", "/api");
    expect(status).toBe(200);
    expect(json).toEqual({
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [
        { clientCIDR: "0.0.0.0/0", serverAddress: "kubernetes.default.svc" },
      ],
    });
  });

  it("serves /version to anonymous users, as system:public-info-viewer allows", async () => {
    const { call } = setup();
    const { status, json } = await call("GET", "/version", undefined, null);
    expect(status).toBe(200);
    expect(json.gitVersion).toBe("v1.28.4");
  });

  it("lists the served core resources under /api/v1", async () => {
    const { call } = setup();
    const { json } = await call("GET", "/api/v1");
    expect(json.kind).toBe("APIResourceList");
    const names = json.resources.map((r: { name: string }) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(["namespaces", "pods", "configmaps", "pods/status"]),
    );
    expect(json.resources.find((r: { name: string }) => r.name === "pods")).toMatchObject({
      singularName: "pod",
      namespaced: true,
      kind: "Pod",
      shortNames: ["po"],
      categories: ["all"],
    });
  });
});

describe("authentication", () => {
  it("rejects an unknown bearer token with the real 401 Status", async () => {
    const { call } = setup();
    const { status, json } = await call(
      "GET",
      "/api/v1/namespaces/default/pods",
      undefined,
      "Bearer nope",
    );
    expect(status).toBe(401);
    expect(json).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Unauthorized",
      reason: "Unauthorized",
      code: 401,
    });
  });

  it("treats a request without a token as system:anonymous and forbids resources", async () => {
    const { call } = setup();
    const { status, json } = await call("GET", "/api/v1/namespaces/default/pods", undefined, null);
    expect(status).toBe(403);
    expect(json.message).toBe(
      'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    const api = await call("GET", "/api", undefined, null);
    expect(api.status).toBe(403);
    expect(api.json.message).toBe('forbidden: User "system:anonymous" cannot get path "/api"');
  });
});

describe("pods", () => {
  it("creates, gets, lists and deletes with server-owned metadata", async () => {
    const { call } = setup();
    const created = await call("POST", "/api/v1/namespaces/default/pods", pod("a"));
    expect(created.status).toBe(201);
    expect(created.json.metadata).toMatchObject({ name: "a", namespace: "default" });
    expect(created.json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.json.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(created.json.metadata.resourceVersion)).toBeGreaterThan(0);

    const got = await call("GET", "/api/v1/namespaces/default/pods/a");
    expect(got.json).toEqual(created.json);

    const list = await call("GET", "/api/v1/namespaces/default/pods");
    expect(list.json.kind).toBe("PodList");
    expect(list.json.items).toHaveLength(1);
    expect(list.json.items[0].kind).toBeUndefined();
    expect(Number(list.json.metadata.resourceVersion)).toBeGreaterThanOrEqual(
      Number(created.json.metadata.resourceVersion),
    );

    const removed = await call("DELETE", "/api/v1/namespaces/default/pods/a");
    expect(removed.status).toBe(200);
    expect(removed.json.metadata.name).toBe("a");
    expect((await call("GET", "/api/v1/namespaces/default/pods/a")).status).toBe(404);
  });

  it("answers errors with the API server's Status and wording", async () => {
    const { call } = setup();
    await call("POST", "/api/v1/namespaces/default/pods", pod("a"));
    const again = await call("POST", "/api/v1/namespaces/default/pods", pod("a"));
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({
      reason: "AlreadyExists",
      message: 'pods "a" already exists',
      details: { name: "a", kind: "pods" },
    });

    const missing = await call("GET", "/api/v1/namespaces/default/pods/nope");
    expect(missing.json).toMatchObject({
      code: 404,
      reason: "NotFound",
      message: 'pods "nope" not found',
    });

    const bad = await call("POST", "/api/v1/namespaces/default/pods", pod("Bad_Name"));
    expect(bad.status).toBe(422);
    expect(bad.json.message).toMatch(
      /^Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    expect(bad.json.details.causes[0]).toMatchObject({
      reason: "FieldValueInvalid",
      field: "metadata.name",
    });

    const noContainers = await call("POST", "/api/v1/namespaces/default/pods", {
      metadata: { name: "x" },
      spec: {},
    });
    expect(noContainers.json.message).toBe('Pod "x" is invalid: spec.containers: Required value');

    const noNamespace = await call("POST", "/api/v1/namespaces/ghost/pods", pod("a"));
    expect(noNamespace.json).toMatchObject({ code: 404, message: 'namespaces "ghost" not found' });

    const mismatch = await call("POST", "/api/v1/namespaces/default/pods", {
      ...pod("b"),
      metadata: { name: "b", namespace: "kube-system" },
    });
    expect(mismatch.json).toMatchObject({ code: 400, reason: "BadRequest" });
  });

  it("gives generateName a random suffix", async () => {
    const { call } = setup();
    const created = await call("POST", "/api/v1/namespaces/default/pods", {
      spec: pod("x").spec,
      metadata: { generateName: "job-" },
    });
    expect(created.json.metadata.name).toMatch(/^job-[a-z0-9]{5}$/);
  });

  it("filters by label and field selectors and rejects unsupported fields", async () => {
    const { api, call } = setup();
    // Status sent on create is reset (pods start Pending); a seed keeps it.
    api.add({
      ...pod("web-1", { app: "web", tier: "front" }),
      metadata: { name: "web-1", namespace: "default", labels: { app: "web", tier: "front" } },
      status: { phase: "Running" },
    } as KubeObject);
    await call(
      "POST",
      "/api/v1/namespaces/default/pods",
      pod("web-2", { app: "web" }, { status: { phase: "Pending" } }),
    );
    await call("POST", "/api/v1/namespaces/kube-system/pods", pod("db-1", { app: "db" }));
    const names = async (query: string) =>
      (await call("GET", `/api/v1/pods?${query}`)).json.items.map((p: any) => p.metadata.name);
    expect(await names("labelSelector=app%3Dweb")).toEqual(["web-1", "web-2"]);
    expect(await names("labelSelector=app!%3Dweb")).toEqual(["db-1"]);
    expect(await names("labelSelector=tier")).toEqual(["web-1"]);
    expect(await names("labelSelector=!tier")).toEqual(["web-2", "db-1"]);
    expect(await names("labelSelector=app%20in%20(db,cache)")).toEqual(["db-1"]);
    expect(await names("labelSelector=app%20notin%20(db)")).toEqual(["web-1", "web-2"]);
    expect(await names("fieldSelector=status.phase%3DRunning")).toEqual(["web-1"]);
    expect(await names("fieldSelector=metadata.namespace%3Dkube-system")).toEqual(["db-1"]);
    const unsupported = await call("GET", "/api/v1/pods?fieldSelector=spec.image%3Dx");
    expect(unsupported.json).toMatchObject({
      code: 400,
      reason: "BadRequest",
      message: "field label not supported: spec.image",
    });
  });

  it("pages with limit and continue", async () => {
    const { call } = setup();
    for (const name of ["a", "b", "c", "d", "e"])
      await call("POST", "/api/v1/namespaces/default/pods", pod(name));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await call(
        "GET",
        `/api/v1/namespaces/default/pods?limit=2${token ? `&continue=${token}` : ""}`,
      );
      seen.push(...page.json.items.map((p: any) => p.metadata.name));
      token = page.json.metadata.continue;
      if (token) expect(page.json.metadata.remainingItemCount).toBe(5 - seen.length);
      pages++;
    } while (token);
    expect(seen).toEqual(["a", "b", "c", "d", "e"]);
    expect(pages).toBe(3);
    const badToken = await call("GET", "/api/v1/namespaces/default/pods?continue=garbage");
    expect(badToken.json).toMatchObject({ code: 400, reason: "BadRequest" });
  });
});

describe("configmaps", () => {
  it("answers a delete with a Success Status, as the configmap registry does", async () => {
    const { call } = setup();
    const created = await call("POST", "/api/v1/namespaces/default/configmaps", {
      metadata: { name: "cfg" },
      data: { a: "1" },
    });
    expect(created.json.kind).toBe("ConfigMap");
    expect(created.json.metadata.generation).toBeUndefined();
    const removed = await call("DELETE", "/api/v1/namespaces/default/configmaps/cfg");
    expect(removed.json).toMatchObject({
      kind: "Status",
      status: "Success",
      details: { name: "cfg", kind: "configmaps", uid: created.json.metadata.uid },
    });
  });
});

describe("routing", () => {
  it("says 404 for unknown resources and 405 for unsupported methods", async () => {
    const { call } = setup();
    expect((await call("GET", "/api/v1/namespaces/default/widgets")).json).toMatchObject({
      code: 404,
      message: "the server could not find the requested resource",
    });
    expect((await call("PUT", "/api/v1/namespaces/default/pods")).json).toMatchObject({
      code: 405,
      reason: "MethodNotAllowed",
    });
    const unknown = await call("GET", "/nope");
    expect(unknown).toEqual({ status: 404, json: "404 page not found\n" });
  });

  it("adds seed objects without authentication and refuses unknown kinds", () => {
    const { api } = setup();
    const added: KubeObject = api.add({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x", namespace: "default" },
    });
    expect(added.metadata?.uid).toBeDefined();
    expect(() => api.add({ apiVersion: "v1", kind: "Widget", metadata: { name: "x" } })).toThrow(
      /not served/,
    );
  });
});
