import { describe, expect, it } from "vitest";
import { updateManagedFields } from "./managedFields.js";

const DEPLOYMENT = "io.k8s.api.apps.v1.Deployment";
const T1 = "2024-05-01T10:00:00Z";
const T2 = "2024-05-01T11:00:00Z";

const deployment = (replicas: number, labels: Record<string, string> = { app: "web" }) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", labels },
  spec: {
    replicas,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "web", image: "nginx:1.25", ports: [{ containerPort: 80 }] }] },
    },
  },
});

const managedFields = (o: Record<string, unknown>) =>
  (o.metadata as { managedFields?: Record<string, unknown>[] }).managedFields;

describe("updateManagedFields", () => {
  it("gives the creator every field it set, as the apiserver records a create", () => {
    const created = updateManagedFields(undefined, deployment(2), {
      manager: "kubectl-create",
      operation: "Update",
      definition: DEPLOYMENT,
      now: T1,
    });
    expect(managedFields(created)).toEqual([
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "apps/v1",
        time: T1,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
              "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
              "f:spec": {
                "f:containers": {
                  'k:{"name":"web"}': {
                    ".": {},
                    "f:image": {},
                    "f:name": {},
                    "f:ports": {
                      ".": {},
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

  it("moves a changed field to the updating manager and leaves the rest with the creator", () => {
    const created = updateManagedFields(undefined, deployment(2), {
      manager: "kubectl-create",
      operation: "Update",
      definition: DEPLOYMENT,
      now: T1,
    });
    const scaled = updateManagedFields(
      created,
      { ...created, spec: { ...(created.spec as object), replicas: 5 } },
      {
        manager: "kubectl-scale",
        operation: "Update",
        definition: DEPLOYMENT,
        now: T2,
      },
    );
    const entries = managedFields(scaled) ?? [];
    expect(entries.map((e) => [e.manager, e.time])).toEqual([
      ["kubectl-create", T1],
      ["kubectl-scale", T2],
    ]);
    expect(entries[1]?.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
    expect(
      (entries[0]?.fieldsV1 as { "f:spec": Record<string, unknown> } | undefined)?.["f:spec"],
    ).not.toHaveProperty("f:replicas");
  });

  it("drops removed fields from every manager and leaves an unchanged entry's time alone", () => {
    const created = updateManagedFields(
      undefined,
      deployment(2, { app: "web", tier: "frontend" }),
      {
        manager: "kubectl-create",
        operation: "Update",
        definition: DEPLOYMENT,
        now: T1,
      },
    );
    const after = structuredClone(created) as ReturnType<typeof deployment>;
    after.metadata.labels = { app: "web" };
    const updated = updateManagedFields(created, after, {
      manager: "kubectl-label",
      operation: "Update",
      definition: DEPLOYMENT,
      now: T2,
    });
    const entries = managedFields(updated) ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0]?.time).toBe(T1);
    expect((entries[0]?.fieldsV1 as { "f:metadata": unknown } | undefined)?.["f:metadata"]).toEqual(
      {
        "f:labels": { ".": {}, "f:app": {} },
      },
    );
  });

  it("keeps the live managedFields when the client sent none", () => {
    const created = updateManagedFields(undefined, deployment(2), {
      manager: "kubectl-create",
      operation: "Update",
      definition: DEPLOYMENT,
      now: T1,
    });
    const updated = updateManagedFields(created, deployment(2, { app: "web", env: "prod" }), {
      manager: "kubectl-edit",
      operation: "Update",
      definition: DEPLOYMENT,
      now: T2,
    });
    expect((managedFields(updated) ?? []).map((e) => e.manager)).toEqual([
      "kubectl-create",
      "kubectl-edit",
    ]);
    expect(managedFields(updated)?.[1]?.fieldsV1).toEqual({
      "f:metadata": { "f:labels": { "f:env": {} } },
    });
  });
});
