// Create, read, update, delete on a namespaced and a cluster-scoped kind, and the Status bodies of the
// errors on the way: 404, 409 AlreadyExists, 409 Conflict, 422 Invalid, 405.
import { objectMeta, outcome } from "../observe.js";
import type { Scenario } from "../scenario.js";

export const crud: Scenario[] = [
  {
    name: "ConfigMap CRUD and its errors",
    async run({ call, namespace, observe }) {
      const base = `/api/v1/namespaces/${namespace}/configmaps`;
      const body = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "cm" },
        data: { a: "1" },
      };
      const created = await call("POST", base, { body });
      observe("create", { ...outcome(created), meta: objectMeta(created.json) });
      observe("create again", outcome(await call("POST", base, { body })));
      const got = await call("GET", `${base}/cm`);
      observe("get", { ...outcome(got), meta: objectMeta(got.json) });
      observe("get a missing one", outcome(await call("GET", `${base}/missing`)));
      const updated = await call("PUT", `${base}/cm`, {
        body: { ...got.json, data: { a: "2" } },
      });
      observe("update", { ...outcome(updated), meta: objectMeta(updated.json) });
      observe(
        "update with the stale resourceVersion",
        outcome(await call("PUT", `${base}/cm`, { body: { ...got.json, data: { a: "3" } } })),
      );
      observe(
        "update without a resourceVersion",
        outcome(
          await call("PUT", `${base}/cm`, {
            body: { ...body, data: { a: "4" } },
          }),
        ),
      );
      observe(
        "update with another name in the body",
        outcome(
          await call("PUT", `${base}/cm`, {
            body: { ...body, metadata: { name: "other" } },
          }),
        ),
      );
      observe(
        "create with an invalid name",
        outcome(
          await call("POST", base, {
            body: { ...body, metadata: { name: "Not_Valid" } },
          }),
        ),
      );
      observe(
        "create with generateName",
        objectMeta(
          (await call("POST", base, { body: { ...body, metadata: { generateName: "gen-" } } }))
            .json,
        ).generateName,
      );
      observe("delete", outcome(await call("DELETE", `${base}/cm`)));
      observe("delete again", outcome(await call("DELETE", `${base}/cm`)));
      observe(
        "PATCH without a content type",
        outcome(await call("PATCH", `${base}/cm`, { body: {}, contentType: "" })),
      );
      observe("POST to a named object", outcome(await call("POST", `${base}/cm`, { body })));
      observe(
        "unknown resource",
        outcome(await call("GET", `/api/v1/namespaces/${namespace}/widgets`)),
      );
      observe("unknown group", outcome(await call("GET", "/apis/example.com/v1/widgets")));
      observe(
        "namespace that does not exist",
        outcome(await call("POST", "/api/v1/namespaces/nowhere/configmaps", { body })),
      );
    },
  },
  {
    name: "cluster-scoped CRUD: ClusterRole and Namespace",
    async run({ call, namespace, observe }) {
      const base = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
      const role = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: `${namespace}-role` },
        rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }],
      };
      const created = await call("POST", base, { body: role });
      observe("create ClusterRole", { ...outcome(created), meta: objectMeta(created.json) });
      observe("create it again", outcome(await call("POST", base, { body: role })));
      observe("get a missing ClusterRole", outcome(await call("GET", `${base}/missing`)));
      observe("delete ClusterRole", outcome(await call("DELETE", `${base}/${namespace}-role`)));
      const ns = `${namespace}-extra`;
      const made = await call("POST", "/api/v1/namespaces", {
        body: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
      });
      observe("create Namespace", {
        ...outcome(made),
        meta: objectMeta(made.json),
        spec: made.json?.spec,
        status: made.json?.status,
      });
      const deleted = await call("DELETE", `/api/v1/namespaces/${ns}`);
      observe("delete Namespace", {
        ...outcome(deleted),
        phase: deleted.json?.status?.phase,
        deletionTimestamp: objectMeta(deleted.json).deletionTimestamp,
      });
      observe(
        "namespaced path for a cluster-scoped kind",
        outcome(
          await call(
            "GET",
            `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/clusterroles`,
          ),
        ),
      );
    },
  },
];
