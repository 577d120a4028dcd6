import { describe, expect, it } from "vitest";
import { setup } from "../../test/call.js";

const crd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { plural: "widgets", singular: "widget", kind: "Widget", shortNames: ["wd"] },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                properties: { size: { type: "integer" }, replicas: { type: "integer" } },
              },
              status: { type: "object", properties: { replicas: { type: "integer" } } },
            },
          },
        },
        subresources: {
          status: {},
          scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
        },
      },
    ],
  },
};

const WIDGETS = "/apis/example.com/v1/namespaces/default/widgets";

describe("CustomResourceDefinitions", () => {
  it("serves the resource (CRUD, status, scale, discovery) and stops when deleted", async () => {
    const { call, watch } = setup();
    const created = await call(
      "POST",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      crd,
    );
    expect(created.status).toBe(201);
    expect(created.json.status.conditions.map((c: any) => c.type)).toEqual([
      "NamesAccepted",
      "Established",
    ]);
    const w = await call("POST", WIDGETS, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { size: 1, replicas: 1 },
      status: { replicas: 5 },
    });
    expect(w.json.metadata.generation).toBe(1);
    expect(w.json.status).toBeUndefined();
    const status = await call("PUT", `${WIDGETS}/w/status`, { ...w.json, status: { replicas: 1 } });
    expect(status.json.status).toEqual({ replicas: 1 });
    const scale = await call("GET", `${WIDGETS}/w/scale`);
    expect(scale.json.spec.replicas).toBe(1);
    const strategic = await call(
      "PATCH",
      `${WIDGETS}/w`,
      {},
      { "content-type": "application/strategic-merge-patch+json" },
    );
    expect(strategic.status).toBe(415);
    const unknown = await call("POST", `${WIDGETS}?fieldValidation=Strict`, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "x" },
      spec: { colour: "red" },
    });
    expect(unknown.json.message).toContain('unknown field "spec.colour"');
    const resources = (await call("GET", "/apis/example.com/v1")).json.resources.map(
      (r: any) => r.name,
    );
    expect(resources).toEqual(["widgets", "widgets/scale", "widgets/status"]);

    const events = await watch(`${WIDGETS}?watch=1`, 3, () =>
      call("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com"),
    );
    expect(events.map((e) => e.type)).toEqual(["ADDED", "DELETED"]);
    expect((await call("GET", WIDGETS)).status).toBe(404);
    expect((await call("GET", "/apis/example.com/v1")).status).toBe(404);
  });
});
