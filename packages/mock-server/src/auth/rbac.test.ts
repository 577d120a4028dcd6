import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type HttpsListener, listen } from "../adapters/httpsListener.js";
import { type ApiServer, createApiServer } from "../server/apiServer.js";

const BASE = "https://kubernetes.default.svc";
const RBAC = "rbac.authorization.k8s.io/v1";

async function call(api: ApiServer, method: string, path: string, token?: string, body?: unknown) {
  const headers = new Headers({ "content-type": "application/json" });
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  const response = await api.handle(
    new Request(`${BASE}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, body: json as Record<string, never> };
}

const pod = (name: string, namespace: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace },
  spec: { containers: [{ name: "c" }] },
});

describe("RBAC", () => {
  let api: ApiServer;
  let sa: string;
  const user = "system:serviceaccount:ns:sa";

  beforeEach(() => {
    api = createApiServer({ rbac: true });
    api.seed([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns" } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } },
      pod("a", "ns"),
      pod("b", "ns"),
      pod("a", "other"),
    ]);
    sa = api.issueServiceAccountToken({ namespace: "ns", name: "sa" });
  });
  afterEach(() => api.close());

  const role = (name: string, rules: unknown[], namespace = "ns") =>
    api.add({ apiVersion: RBAC, kind: "Role", metadata: { name, namespace }, rules } as never);
  const clusterRole = (name: string, rules: unknown[]) =>
    api.add({ apiVersion: RBAC, kind: "ClusterRole", metadata: { name }, rules } as never);
  const bind = (name: string, roleKind: string, roleName: string, namespace = "ns") =>
    api.add({
      apiVersion: RBAC,
      kind: "RoleBinding",
      metadata: { name, namespace },
      subjects: [{ kind: "ServiceAccount", name: "sa", namespace: "ns" }],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: roleName },
    } as never);
  const bindCluster = (name: string, roleName: string, subject: unknown) =>
    api.add({
      apiVersion: RBAC,
      kind: "ClusterRoleBinding",
      metadata: { name },
      subjects: [subject],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
    } as never);

  it("denies what no binding grants, with the authorizer's messages", async () => {
    const list = await call(api, "GET", "/api/v1/namespaces/ns/pods", sa);
    expect(list.status).toBe(403);
    expect(list.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `pods is forbidden: User "${user}" cannot list resource "pods" in API group "" in the namespace "ns"`,
      reason: "Forbidden",
      details: { kind: "pods" },
      code: 403,
    });
    const cases: [string, string, string][] = [
      [
        "GET",
        "/api/v1/namespaces/ns/pods/a",
        `pods "a" is forbidden: User "${user}" cannot get resource "pods" in API group "" in the namespace "ns"`,
      ],
      [
        "GET",
        "/api/v1/namespaces/ns/pods/a/log",
        `pods "a" is forbidden: User "${user}" cannot get resource "pods/log" in API group "" in the namespace "ns"`,
      ],
      [
        "GET",
        "/apis/apps/v1/deployments",
        `deployments.apps is forbidden: User "${user}" cannot list resource "deployments" in API group "apps" at the cluster scope`,
      ],
      [
        "GET",
        "/api/v1/nodes/n1",
        `nodes "n1" is forbidden: User "${user}" cannot get resource "nodes" in API group "" at the cluster scope`,
      ],
      ["GET", "/metrics", `forbidden: User "${user}" cannot get path "/metrics"`],
      ["POST", "/logs", `forbidden: User "${user}" cannot post path "/logs"`],
    ];
    for (const [method, path, message] of cases) {
      const r = await call(api, method, path, sa);
      expect({ path, status: r.status, message: r.body.message }).toEqual({
        path,
        status: 403,
        message,
      });
    }
  });

  it("lets authenticated users discover and ask about themselves; anonymous only the public paths", async () => {
    expect((await call(api, "GET", "/api", sa)).status).toBe(200);
    expect((await call(api, "GET", "/apis/apps/v1", sa)).status).toBe(200);
    expect((await call(api, "GET", "/version", sa)).status).toBe(200);
    expect((await call(api, "GET", "/version")).status).toBe(200);
    expect((await call(api, "GET", "/healthz")).status).toBe(200);
    const anon = await call(api, "GET", "/api");
    expect(anon.status).toBe(403);
    expect(anon.body.message).toBe('forbidden: User "system:anonymous" cannot get path "/api"');
  });

  it("matches verbs one by one: get does not give list, list does not give watch", async () => {
    role("getter", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]);
    bind("getter", "Role", "getter");
    expect((await call(api, "GET", "/api/v1/namespaces/ns/pods/a", sa)).status).toBe(200);
    expect((await call(api, "GET", "/api/v1/namespaces/ns/pods", sa)).status).toBe(403);
    role("lister", [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }]);
    bind("lister", "Role", "lister");
    expect((await call(api, "GET", "/api/v1/namespaces/ns/pods", sa)).status).toBe(200);
    const w = await call(api, "GET", "/api/v1/namespaces/ns/pods?watch=true&timeoutSeconds=0", sa);
    expect(w.status).toBe(403);
    expect(w.body.message).toContain('cannot watch resource "pods"');
    const w2 = await call(api, "GET", "/api/v1/watch/namespaces/ns/pods", sa);
    expect(w2.body.message).toContain('cannot watch resource "pods"');
    // DELETE on a collection is deletecollection, not delete.
    role("deleter", [{ apiGroups: [""], resources: ["pods"], verbs: ["delete"] }]);
    bind("deleter", "Role", "deleter");
    const dc = await call(api, "DELETE", "/api/v1/namespaces/ns/pods", sa);
    expect(dc.status).toBe(403);
    expect(dc.body.message).toContain('cannot deletecollection resource "pods"');
    expect((await call(api, "DELETE", "/api/v1/namespaces/ns/pods/b", sa)).status).toBe(200);
  });

  it("needs the subresource itself: pods does not give pods/status, */status does", async () => {
    role("all-pods", [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }]);
    bind("all-pods", "Role", "all-pods");
    expect((await call(api, "GET", "/api/v1/namespaces/ns/pods/a", sa)).status).toBe(200);
    const st = await call(api, "GET", "/api/v1/namespaces/ns/pods/a/status", sa);
    expect(st.status).toBe(403);
    expect(st.body.message).toContain('cannot get resource "pods/status"');
    role("any-status", [{ apiGroups: [""], resources: ["*/status"], verbs: ["get"] }]);
    bind("any-status", "Role", "any-status");
    expect((await call(api, "GET", "/api/v1/namespaces/ns/pods/a/status", sa)).status).toBe(200);
  });

  it("restricts to resourceNames: never a list, a create or a deletecollection", async () => {
    role("only-a", [
      {
        apiGroups: [""],
        resources: ["pods"],
        resourceNames: ["a"],
        verbs: ["get", "list", "watch", "create", "deletecollection"],
      },
    ]);
    bind("only-a", "Role", "only-a");
    expect((await call(api, "GET", "/api/v1/namespaces/ns/pods/a", sa)).status).toBe(200);
    expect((await call(api, "GET", "/api/v1/namespaces/ns/pods/b", sa)).status).toBe(403);
    expect((await call(api, "GET", "/api/v1/namespaces/ns/pods", sa)).status).toBe(403);
    expect((await call(api, "POST", "/api/v1/namespaces/ns/pods", sa, pod("c", "ns"))).status).toBe(
      403,
    );
    expect((await call(api, "DELETE", "/api/v1/namespaces/ns/pods", sa)).status).toBe(403);
    // A list narrowed to one name by a metadata.name field selector is authorized for that name.
    const one = await call(
      api,
      "GET",
      "/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Da",
      sa,
    );
    expect(one.status).toBe(200);
    expect((one.body.items as unknown as unknown[]).length).toBe(1);
  });

  it("matches apiGroups: a core rule does not give apps, * gives every group", async () => {
    role("core", [{ apiGroups: [""], resources: ["*"], verbs: ["list"] }]);
    bind("core", "Role", "core");
    expect((await call(api, "GET", "/api/v1/namespaces/ns/configmaps", sa)).status).toBe(200);
    const apps = await call(api, "GET", "/apis/apps/v1/namespaces/ns/deployments", sa);
    expect(apps.status).toBe(403);
    expect(apps.body.message).toBe(
      `deployments.apps is forbidden: User "${user}" cannot list resource "deployments" in API group "apps" in the namespace "ns"`,
    );
    role("any", [{ apiGroups: ["*"], resources: ["deployments"], verbs: ["list"] }]);
    bind("any", "Role", "any");
    expect((await call(api, "GET", "/apis/apps/v1/namespaces/ns/deployments", sa)).status).toBe(
      200,
    );
  });

  it("ClusterRole through a RoleBinding applies in that namespace only; through a ClusterRoleBinding everywhere", async () => {
    clusterRole("pod-reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]);
    bind("read", "ClusterRole", "pod-reader");
    expect((await call(api, "GET", "/api/v1/namespaces/ns/pods", sa)).status).toBe(200);
    expect((await call(api, "GET", "/api/v1/namespaces/other/pods", sa)).status).toBe(403);
    expect((await call(api, "GET", "/api/v1/pods", sa)).status).toBe(403);
    // A Role of another namespace bound here gives nothing (roleRef is looked up in the binding's namespace).
    role("elsewhere", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["list"] }], "other");
    bind("elsewhere", "Role", "elsewhere");
    const missing = await call(api, "GET", "/api/v1/namespaces/ns/configmaps", sa);
    expect(missing.status).toBe(403);
    expect(missing.body.message).toBe(
      `configmaps is forbidden: User "${user}" cannot list resource "configmaps" in API group "" in the namespace "ns": RBAC: role.rbac.authorization.k8s.io "elsewhere" not found`,
    );
    bindCluster("read-all", "pod-reader", { kind: "Group", name: "system:serviceaccounts:ns" });
    expect((await call(api, "GET", "/api/v1/namespaces/other/pods", sa)).status).toBe(200);
    expect((await call(api, "GET", "/api/v1/pods", sa)).status).toBe(200);
  });

  it("non-resource URLs: exact, prefix * and * — from a ClusterRoleBinding", async () => {
    clusterRole("metrics", [{ nonResourceURLs: ["/metrics", "/debug/*"], verbs: ["get"] }]);
    bindCluster("metrics", "metrics", { kind: "User", name: user });
    expect((await call(api, "GET", "/metrics", sa)).status).toBe(404); // allowed, then not served
    expect((await call(api, "GET", "/debug/pprof/heap", sa)).status).toBe(404);
    expect((await call(api, "GET", "/metricsx", sa)).status).toBe(403);
    expect((await call(api, "POST", "/metrics", sa)).status).toBe(403);
    const jane = api.issueToken({ user: "jane", groups: [] });
    expect((await call(api, "GET", "/logs", jane)).status).toBe(403);
    bindCluster("admin", "cluster-admin", { kind: "User", name: "jane" });
    expect((await call(api, "GET", "/logs", jane)).status).toBe(404);
    expect((await call(api, "GET", "/api/v1/namespaces/other/pods", jane)).status).toBe(200);
  });

  it("system:masters (the default tokens) may do anything", async () => {
    const admin = api.issueToken();
    expect((await call(api, "GET", "/api/v1/pods", admin)).status).toBe(200);
    expect((await call(api, "DELETE", "/api/v1/namespaces/ns/pods", admin)).status).toBe(200);
    expect((await call(api, "GET", "/metrics", admin)).status).toBe(404);
  });

  it("answers SelfSubjectAccessReview with the RBAC decision and reason", async () => {
    role("getter", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]);
    bind("getter", "Role", "getter");
    const ask = (spec: unknown) =>
      call(api, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", sa, {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectAccessReview",
        spec,
      });
    const yes = await ask({
      resourceAttributes: { namespace: "ns", verb: "get", resource: "pods", name: "a" },
    });
    expect(yes.status).toBe(201);
    expect(yes.body).toEqual({
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: "ns", verb: "get", resource: "pods", name: "a" } },
      status: {
        allowed: true,
        reason:
          'RBAC: allowed by RoleBinding "getter/ns" of Role "getter" to ServiceAccount "ns/sa"',
      },
    });
    const no = await ask({
      resourceAttributes: { namespace: "ns", verb: "list", resource: "pods" },
    });
    expect(no.body.status).toEqual({ allowed: false });
    const path = await ask({ nonResourceAttributes: { path: "/api", verb: "get" } });
    expect((path.body.status as unknown as { allowed: boolean }).allowed).toBe(true);
    const invalid = await ask({});
    expect(invalid.status).toBe(422);
    expect(invalid.body.message).toBe(
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
    // Not stored: reviews cannot be read back.
    expect(
      (
        await call(
          api,
          "GET",
          "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
          api.issueToken(),
        )
      ).status,
    ).toBe(405);
  });

  it("applies over the HTTPS listener", async () => {
    let listener: HttpsListener | undefined;
    try {
      listener = await listen(api);
      role("getter", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]);
      bind("getter", "Role", "getter");
      const { request } = await import("node:https");
      const get = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request(
            `${listener?.url}${path}`,
            { ca: listener?.ca, headers: { authorization: `Bearer ${sa}` } },
            (res) => {
              let body = "";
              res.on("data", (c) => {
                body += c;
              });
              res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            },
          );
          req.on("error", reject);
          req.end();
        });
      expect((await get("/api/v1/namespaces/ns/pods/a")).status).toBe(200);
      const denied = await get("/api/v1/namespaces/ns/pods");
      expect(denied.status).toBe(403);
      expect(JSON.parse(denied.body).message).toBe(
        `pods is forbidden: User "${user}" cannot list resource "pods" in API group "" in the namespace "ns"`,
      );
    } finally {
      await listener?.close();
    }
  });
});

describe("without RBAC (the default)", () => {
  it("allows every authenticated user everything; SelfSubjectAccessReview says so", async () => {
    const api = createApiServer();
    const sa = api.issueServiceAccountToken({ namespace: "default", name: "sa" });
    expect((await call(api, "GET", "/api/v1/pods", sa)).status).toBe(200);
    const r = await call(
      api,
      "POST",
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      sa,
      {
        spec: { resourceAttributes: { verb: "delete", resource: "nodes" } },
      },
    );
    expect(r.body.status).toEqual({ allowed: true });
    const anon = await call(api, "GET", "/api/v1/namespaces/default/pods");
    expect(anon.body.message).toBe(
      'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"',
    );
  });
});
