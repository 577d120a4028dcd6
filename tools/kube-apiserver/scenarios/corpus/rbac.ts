// Authorization as a service account sees it: the real 403 texts, allow after a binding, 401s.
import { outcome } from "../observe.js";
import type { Scenario } from "../scenario.js";

export const rbac: Scenario[] = [
  {
    name: "RBAC denials, then a RoleBinding",
    async run({ call, namespace, observe, target, eventually }) {
      const token = await target.issueServiceAccountToken({ namespace, name: "app" });
      const as = { token };
      observe("list pods", outcome(await call("GET", `/api/v1/namespaces/${namespace}/pods`, as)));
      observe(
        "get a pod",
        outcome(await call("GET", `/api/v1/namespaces/${namespace}/pods/p`, as)),
      );
      observe(
        "get pods/log",
        outcome(await call("GET", `/api/v1/namespaces/${namespace}/pods/p/log`, as)),
      );
      observe(
        "create a deployment",
        outcome(
          await call("POST", `/apis/apps/v1/namespaces/${namespace}/deployments`, {
            ...as,
            body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } },
          }),
        ),
      );
      observe("list nodes (cluster scope)", outcome(await call("GET", "/api/v1/nodes", as)));
      observe("list pods everywhere", outcome(await call("GET", "/api/v1/pods", as)));
      observe("GET /metrics (non-resource)", outcome(await call("GET", "/metrics", as)));
      observe("GET /version (public)", outcome(await call("GET", "/version", as)).code);
      observe("GET /api (discovery)", outcome(await call("GET", "/api", as)).code);
      observe(
        "watch configmaps",
        outcome(await call("GET", `/api/v1/namespaces/${namespace}/configmaps?watch=1`, as)),
      );

      // A binding to a role that does not exist yet: the denial names the missing role.
      await call(
        "POST",
        `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`,
        {
          body: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "app" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
            subjects: [{ kind: "ServiceAccount", name: "app", namespace }],
          },
        },
      );
      const missingRole = await eventually("the binding is seen", async () => {
        const answer = await call("GET", `/api/v1/namespaces/${namespace}/pods`, as);
        return answer.json?.message?.includes("RBAC:") ? answer : undefined;
      }).catch(() => call("GET", `/api/v1/namespaces/${namespace}/pods`, as));
      observe("list pods, bound to a missing role", outcome(missingRole));

      await call("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
        body: {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "Role",
          metadata: { name: "reader" },
          rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }],
        },
      });
      const allowed = await eventually("the role is seen", async () => {
        const answer = await call("GET", `/api/v1/namespaces/${namespace}/pods`, as);
        return answer.status === 200 ? answer : undefined;
      }).catch(() => call("GET", `/api/v1/namespaces/${namespace}/pods`, as));
      observe("list pods, allowed", outcome(allowed));
      observe(
        "get a pod (list only)",
        outcome(await call("GET", `/api/v1/namespaces/${namespace}/pods/p`, as)),
      );
      observe(
        "SelfSubjectAccessReview",
        (
          await call("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
            ...as,
            body: {
              apiVersion: "authorization.k8s.io/v1",
              kind: "SelfSubjectAccessReview",
              spec: { resourceAttributes: { namespace, verb: "list", resource: "pods" } },
            },
          })
        ).json?.status,
      );
      const self = await call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
        ...as,
        body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      });
      observe("SelfSubjectReview", {
        code: self.status,
        username: self.json?.status?.userInfo?.username,
        groups: self.json?.status?.userInfo?.groups,
        extra: Object.keys(self.json?.status?.userInfo?.extra ?? {}).sort(),
      });
    },
  },
  {
    name: "TokenRequest and TokenReview through the API",
    async run({ call, namespace, observe }) {
      await call("POST", `/api/v1/namespaces/${namespace}/serviceaccounts`, {
        body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "robot" } },
      });
      const request = await call(
        "POST",
        `/api/v1/namespaces/${namespace}/serviceaccounts/robot/token`,
        {
          body: {
            apiVersion: "authentication.k8s.io/v1",
            kind: "TokenRequest",
            spec: { expirationSeconds: 3600 },
          },
        },
      );
      observe("TokenRequest", {
        ...outcome(request),
        token: typeof request.json?.status?.token === "string" ? "<jwt>" : undefined,
        audiences: request.json?.spec?.audiences,
      });
      const review = await call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {
        body: {
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenReview",
          spec: { token: request.json?.status?.token ?? "none" },
        },
      });
      observe("TokenReview", { ...outcome(review), status: review.json?.status?.user?.username });
      observe(
        "TokenRequest for a missing ServiceAccount",
        outcome(
          await call("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/ghost/token`, {
            body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: {} },
          }),
        ),
      );
    },
  },
  {
    name: "authentication failures",
    async run({ call, observe }) {
      observe(
        "no token: list namespaces",
        outcome(await call("GET", "/api/v1/namespaces", { token: null })),
      );
      observe("no token: /version", outcome(await call("GET", "/version", { token: null })).code);
      observe("no token: /readyz", outcome(await call("GET", "/readyz", { token: null })));
      observe("unknown token", outcome(await call("GET", "/api/v1/namespaces", { token: "nope" })));
      observe(
        "malformed JWT",
        outcome(await call("GET", "/api/v1/namespaces", { token: "a.b.c" })),
      );
    },
  },
];
