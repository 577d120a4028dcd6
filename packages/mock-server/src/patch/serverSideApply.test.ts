import { describe, expect, it } from "vitest";
import { updateManagedFields } from "./managedFields.js";
import { PatchError } from "./patchError.js";
import { serverSideApply } from "./serverSideApply.js";

const DEPLOYMENT = "io.k8s.api.apps.v1.Deployment";
const SERVICE = "io.k8s.api.core.v1.Service";
const T1 = "2024-05-01T10:00:00Z";
const T2 = "2024-05-01T11:00:00Z";
const T3 = "2024-05-01T12:00:00Z";

type Obj = Record<string, unknown>;
interface Deployment {
  metadata: { labels?: Record<string, string>; finalizers?: string[]; managedFields?: Obj[] };
  spec: { replicas?: number; template: { spec: { containers: Obj[] } } };
}

const config = (
  image = "nginx:1.25",
  extra: { replicas?: number; labels?: Record<string, string>; containers?: Obj[] } = {},
) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", labels: extra.labels ?? { app: "web" } },
  spec: {
    ...(extra.replicas !== undefined ? { replicas: extra.replicas } : {}),
    template: {
      spec: {
        containers: extra.containers ?? [{ name: "web", image, ports: [{ containerPort: 80 }] }],
      },
    },
  },
});

const apply = (live: Obj | undefined, applied: Obj, manager: string, now = T1, force = false) =>
  serverSideApply(live, applied, { manager, force, definition: DEPLOYMENT, now }) as Obj &
    Deployment;

function error(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error("expected a PatchError");
}

const fieldsOf = (o: Deployment, manager: string) =>
  o.metadata.managedFields?.find((e) => e.manager === manager)?.fieldsV1;

describe("serverSideApply", () => {
  it("creates the object and records exactly the applied fields", () => {
    const out = apply(undefined, config("nginx:1.25", { replicas: 2 }), "ci");
    expect(out.spec.replicas).toBe(2);
    expect(out.metadata.managedFields).toEqual([
      {
        manager: "ci",
        operation: "Apply",
        apiVersion: "apps/v1",
        time: T1,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:template": {
              "f:spec": {
                "f:containers": {
                  'k:{"name":"web"}': {
                    ".": {},
                    "f:image": {},
                    "f:name": {},
                    "f:ports": {
                      'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it("fails with 409 when another manager owns a field it would change", () => {
    const live = apply(undefined, config("nginx:1.25", { replicas: 2 }), "ci");
    const scaled = updateManagedFields(
      live,
      { ...live, spec: { ...live.spec, replicas: 5 } },
      { manager: "kubectl-scale", operation: "Update", definition: DEPLOYMENT, now: T2 },
    );
    const e = error(() => apply(scaled, config("nginx:1.25", { replicas: 3 }), "ci", T3));
    expect(e.code).toBe(409);
    expect(e.reason).toBe("Conflict");
    expect(e.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas',
    );
    expect(e.conflicts).toEqual([{ manager: "kubectl-scale", field: ".spec.replicas" }]);
  });

  it("takes the field with force, and the other manager's entry goes when empty", () => {
    const live = apply(undefined, config("nginx:1.25", { replicas: 2 }), "ci");
    const scaled = updateManagedFields(
      live,
      { ...live, spec: { ...live.spec, replicas: 5 } },
      { manager: "kubectl-scale", operation: "Update", definition: DEPLOYMENT, now: T2 },
    );
    const out = apply(scaled, config("nginx:1.25", { replicas: 3 }), "ci", T3, true);
    expect(out.spec.replicas).toBe(3);
    expect(out.metadata.managedFields?.map((e) => [e.manager, e.operation, e.time])).toEqual([
      ["ci", "Apply", T3],
    ]);
  });

  it("leaves a field to its new owner when the applier stops applying it (no conflict)", () => {
    const live = apply(undefined, config("nginx:1.25", { replicas: 2 }), "ci");
    const scaled = updateManagedFields(
      live,
      { ...live, spec: { ...live.spec, replicas: 5 } },
      { manager: "hpa", operation: "Update", definition: DEPLOYMENT, now: T2 },
    );
    const out = apply(scaled, config("nginx:1.26"), "ci", T3);
    expect(out.spec.replicas).toBe(5);
    expect(out.spec.template.spec.containers[0]?.image).toBe("nginx:1.26");
    expect(fieldsOf(out, "hpa")).toEqual({ "f:spec": { "f:replicas": {} } });
  });

  it("shares a field applied with the same value, without a conflict", () => {
    const live = apply(undefined, config("nginx:1.25"), "team-a");
    const out = apply(live, config("nginx:1.25"), "team-b", T2);
    expect(out.metadata.managedFields?.map((e) => e.manager)).toEqual(["team-a", "team-b"]);
    expect(fieldsOf(out, "team-a")).toEqual(fieldsOf(out, "team-b"));
  });

  it("reports conflicts between two appliers, grouped per manager", () => {
    const live = apply(
      undefined,
      config("nginx:1.25", { labels: { app: "web", tier: "frontend" } }),
      "team-a",
    );
    const one = error(() => apply(live, config("nginx:1.26"), "team-b", T2));
    expect(one.message).toBe(
      'Apply failed with 1 conflict: conflict with "team-a": .spec.template.spec.containers[name="web"].image',
    );
    const two = error(() =>
      apply(live, config("nginx:1.26", { labels: { app: "api", tier: "frontend" } }), "team-b", T2),
    );
    expect(two.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "team-a":\n- .metadata.labels.app\n- .spec.template.spec.containers[name="web"].image',
    );
    expect(two.conflicts).toHaveLength(2);
  });

  it("removes fields the manager no longer applies unless someone else owns them", () => {
    const live = apply(
      undefined,
      config("nginx:1.25", { labels: { app: "web", tier: "frontend", env: "prod" } }),
      "ci",
    );
    const shared = apply(
      live,
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", labels: { env: "prod" } },
      },
      "ops",
      T2,
    );
    const out = apply(shared, config("nginx:1.25", { labels: { app: "web" } }), "ci", T3);
    expect(out.metadata.labels).toEqual({ app: "web", env: "prod" });
    expect(fieldsOf(out, "ci")).toMatchObject({ "f:metadata": { "f:labels": { "f:app": {} } } });
  });

  it("removes a container the manager no longer applies and merges the others by name", () => {
    const two = config("nginx:1.25", {
      containers: [
        { name: "web", image: "nginx:1.25" },
        { name: "log", image: "fluent-bit:2" },
      ],
    });
    const live = apply(undefined, two, "ci");
    const sidecar = apply(
      live,
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web" },
        spec: { template: { spec: { containers: [{ name: "mesh", image: "envoy" }] } } },
      },
      "injector",
      T2,
    );
    expect(sidecar.spec.template.spec.containers.map((c) => c.name)).toEqual([
      "web",
      "log",
      "mesh",
    ]);
    const out = apply(
      sidecar,
      config("nginx:1.26", { containers: [{ name: "web", image: "nginx:1.26" }] }),
      "ci",
      T3,
    );
    expect(out.spec.template.spec.containers).toEqual([
      { name: "web", image: "nginx:1.26" },
      { name: "mesh", image: "envoy" },
    ]);
  });

  it("merges finalizers as a set and Service ports by port and protocol", () => {
    const live = apply(
      undefined,
      { ...config(), metadata: { name: "web", finalizers: ["example.com/a"] } },
      "ci",
    );
    expect(fieldsOf(live, "ci")).toMatchObject({
      "f:metadata": { "f:finalizers": { 'v:"example.com/a"': {} } },
    });
    const svc = serverSideApply(
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web" },
        spec: { ports: [{ port: 80, targetPort: 8080 }] },
      },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web" },
        spec: { ports: [{ port: 443, targetPort: 8443 }] },
      },
      { manager: "ci", force: false, definition: SERVICE, now: T1 },
    );
    expect((svc.spec as { ports: unknown[] }).ports).toEqual([
      { port: 80, targetPort: 8080 },
      { port: 443, targetPort: 8443 },
    ]);
    expect((svc.metadata as Deployment["metadata"]).managedFields?.[0]?.fieldsV1).toEqual({
      "f:spec": {
        "f:ports": {
          'k:{"port":443,"protocol":"TCP"}': { ".": {}, "f:port": {}, "f:targetPort": {} },
        },
      },
    });
  });

  it("refuses managedFields in the configuration", () => {
    const e = error(() =>
      apply(
        undefined,
        { ...config(), metadata: { name: "web", managedFields: [{ manager: "x" }] } },
        "ci",
      ),
    );
    expect(e.code).toBe(400);
    expect(e.message).toBe("metadata.managedFields must be nil");
  });

  it("lists Apply entries before Update entries", () => {
    const created = updateManagedFields(undefined, config(), {
      manager: "kubectl-create",
      operation: "Update",
      definition: DEPLOYMENT,
      now: T1,
    });
    const out = apply(created, config("nginx:1.25", { replicas: 4 }), "ci", T2);
    expect(out.metadata.managedFields?.map((e) => `${e.manager}/${e.operation}`)).toEqual([
      "ci/Apply",
      "kubectl-create/Update",
    ]);
  });

  it("applies custom resources without a schema: objects merge, lists are atomic", () => {
    const cr = (items: string[], size?: number) => ({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { items, ...(size !== undefined ? { size } : {}) },
    });
    const opts = (manager: string, now: string) => ({
      manager,
      force: false,
      definition: "com.example.v1.Widget",
      now,
    });
    const live = serverSideApply(undefined, cr(["a", "b"], 1), opts("ci", T1));
    expect((live.metadata as Deployment["metadata"]).managedFields?.[0]?.fieldsV1).toEqual({
      "f:spec": { "f:items": {}, "f:size": {} },
    });
    const out = serverSideApply(live, cr(["c"]), opts("ci", T2));
    expect(out.spec).toEqual({ items: ["c"] });
    expect(() => serverSideApply(out, cr(["d"]), opts("other", T3))).toThrow(
      'Apply failed with 1 conflict: conflict with "ci": .spec.items',
    );
  });
});
