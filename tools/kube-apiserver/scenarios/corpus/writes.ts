// Writes beyond create and update: every patch type, server-side apply with conflicts and force, dry run,
// field validation (and its Warning headers), the status and scale subresources.
import { objectMeta, outcome } from "../observe.js";
import type { Answer, Scenario } from "../scenario.js";

const warnings = (answer: Answer) => {
  const header = answer.headers.warning;
  return header === undefined ? undefined : [header].flat();
};

export const writes: Scenario[] = [
  {
    name: "patch types on a ConfigMap",
    async run({ call, namespace, observe }) {
      const base = `/api/v1/namespaces/${namespace}/configmaps`;
      await call("POST", base, {
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "p" }, data: { a: "1" } },
      });
      const patch = async (step: string, contentType: string, body: unknown, query = "") => {
        const answer = await call("PATCH", `${base}/p${query}`, { body, contentType });
        observe(step, {
          ...outcome(answer),
          data: answer.json?.data,
          labels: answer.json?.metadata?.labels,
          managedFields: objectMeta(answer.json).managedFields,
          warnings: warnings(answer),
        });
      };
      await patch("merge patch", "application/merge-patch+json", { data: { b: "2" } });
      await patch("strategic merge patch", "application/strategic-merge-patch+json", {
        metadata: { labels: { x: "y" } },
      });
      await patch("JSON patch", "application/json-patch+json", [
        { op: "replace", path: "/data/a", value: "10" },
      ]);
      await patch("JSON patch that fails its test", "application/json-patch+json", [
        { op: "test", path: "/data/a", value: "nope" },
      ]);
      await patch("apply without fieldManager", "application/apply-patch+yaml", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "p" },
        data: { a: "20" },
      });
      await patch(
        "apply as manager one",
        "application/apply-patch+yaml",
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "p" }, data: { c: "3" } },
        "?fieldManager=one",
      );
      await patch(
        "apply as manager two: conflict",
        "application/apply-patch+yaml",
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "p" }, data: { c: "4" } },
        "?fieldManager=two",
      );
      await patch(
        "apply as manager two with force",
        "application/apply-patch+yaml",
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "p" }, data: { c: "4" } },
        "?fieldManager=two&force=true",
      );
      await patch(
        "merge patch, dry run",
        "application/merge-patch+json",
        { data: { d: "5" } },
        "?dryRun=All",
      );
      observe("after the dry run", (await call("GET", `${base}/p`)).json?.data);
      await patch("unknown patch type", "application/x-unknown", { data: {} });
    },
  },
  {
    name: "field validation and dry run on create",
    async run({ call, namespace, observe }) {
      const base = `/api/v1/namespaces/${namespace}/configmaps`;
      const body = (name: string) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, bogus: true },
        data: { a: "1" },
        extra: "x",
      });
      for (const validation of ["", "Ignore", "Warn", "Strict", "Nope"]) {
        const query = validation ? `?fieldValidation=${validation}` : "";
        const answer = await call("POST", `${base}${query}`, {
          body: body(`v-${validation.toLowerCase() || "default"}`),
        });
        observe(`fieldValidation=${validation || "(default)"}`, {
          ...outcome(answer),
          warnings: warnings(answer),
        });
      }
      const dry = await call("POST", `${base}?dryRun=All`, {
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry" } },
      });
      observe("create, dry run", { ...outcome(dry), meta: objectMeta(dry.json) });
      observe("the dry-run object", outcome(await call("GET", `${base}/dry`)));
      observe(
        "dryRun=Some",
        outcome(await call("POST", `${base}?dryRun=Some`, { body: body("s") })),
      );
    },
  },
  {
    name: "status and scale subresources of a Deployment",
    async run({ call, namespace, observe }) {
      const base = `/apis/apps/v1/namespaces/${namespace}/deployments`;
      const deployment = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "d", labels: { app: "d" } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "d" } },
          template: {
            metadata: { labels: { app: "d" } },
            spec: { containers: [{ name: "c", image: "nginx" }] },
          },
        },
        status: { replicas: 9 },
      };
      const created = await call("POST", base, { body: deployment });
      observe("create (status is dropped)", {
        ...outcome(created),
        generation: created.json?.metadata?.generation,
        status: created.json?.status,
      });
      const scale = await call("GET", `${base}/d/scale`);
      observe("get scale", {
        ...outcome(scale),
        apiVersion: scale.json?.apiVersion,
        spec: scale.json?.spec,
        status: scale.json?.status,
      });
      const scaled = await call("PUT", `${base}/d/scale`, {
        body: { ...scale.json, spec: { replicas: 3 } },
      });
      observe("update scale", { ...outcome(scaled), spec: scaled.json?.spec });
      const after = await call("GET", `${base}/d`);
      observe("after scaling", {
        replicas: after.json?.spec?.replicas,
        generation: after.json?.metadata?.generation,
      });
      const status = await call("PATCH", `${base}/d/status`, {
        contentType: "application/merge-patch+json",
        body: { spec: { replicas: 7 }, status: { observedGeneration: 5 } },
      });
      observe("merge-patch status (spec ignored)", {
        ...outcome(status),
        replicas: status.json?.spec?.replicas,
        observedGeneration: status.json?.status?.observedGeneration,
        generation: status.json?.metadata?.generation,
      });
      observe(
        "scale of a ConfigMap",
        outcome(await call("GET", `/api/v1/namespaces/${namespace}/configmaps/x/scale`)),
      );
    },
  },
];
