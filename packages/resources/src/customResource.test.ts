import { describe, expect, expectTypeOf, it } from "vitest";
import { defineResource, descriptorsFromCustomResourceDefinition } from "./customResource.js";
import { type ObjectOf, resourcePath } from "./descriptor.js";
import type { CustomResourceDefinition } from "./kinds.generated.js";

describe("defineResource", () => {
  it("yields a typed descriptor of the built-ins' shape", () => {
    const Widget = defineResource<{ size: number }, { ready: boolean }, true>({
      group: "example.com",
      version: "v1",
      kind: "Widget",
      plural: "widgets",
      namespaced: true,
      shortNames: ["wd"],
      subresources: { status: true },
    });
    expect(Widget).toEqual({
      group: "example.com",
      version: "v1",
      apiVersion: "example.com/v1",
      kind: "Widget",
      plural: "widgets",
      singular: "widget",
      namespaced: true,
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      listKind: "WidgetList",
      shortNames: ["wd"],
      categories: [],
      subresources: { status: { verbs: ["get", "patch", "update"] } },
    });
    expect(resourcePath(Widget, "a", "b")).toBe("/apis/example.com/v1/namespaces/a/widgets/b");
    expectTypeOf<ObjectOf<typeof Widget>["spec"]>().toEqualTypeOf<{ size: number } | undefined>();
    expectTypeOf(Widget.namespaced).toEqualTypeOf<true>();
  });
});

describe("descriptorsFromCustomResourceDefinition", () => {
  it("gives one descriptor per served version", () => {
    const crd: CustomResourceDefinition = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Cluster",
        names: { kind: "Gadget", plural: "gadgets", listKind: "GadgetList", categories: ["all"] },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            subresources: {
              scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
            },
          },
          { name: "v1beta1", served: false, storage: false },
          { name: "v2", served: true, storage: false, subresources: { status: {} } },
        ],
      },
    };
    const descriptors = descriptorsFromCustomResourceDefinition(crd);
    expect(descriptors.map((d) => d.apiVersion)).toEqual(["example.com/v1", "example.com/v2"]);
    expect(descriptors[0]).toMatchObject({
      kind: "Gadget",
      plural: "gadgets",
      singular: "gadget",
      namespaced: false,
      categories: ["all"],
      subresources: { scale: { kind: "Scale", apiVersion: "autoscaling/v1" } },
    });
    expect(Object.keys(descriptors[1]?.subresources ?? {})).toEqual(["status"]);
  });
});

describe("defineResource refuses what apiextensions-apiserver refuses in a CRD", () => {
  const widget = {
    group: "example.com",
    version: "v1",
    kind: "Widget",
    plural: "widgets",
    namespaced: true,
  } as const;

  it.each([
    ["plural", { plural: "configmaps\\..\\secrets" }],
    ["plural", { plural: "../secrets" }],
    ["plural", { plural: "Widgets" }],
    ["version", { version: "../v1" }],
    ["version", { version: "v1/x" }],
    ["group", { group: "../.." }],
    ["group", { group: "" }],
    ["kind", { kind: "Wid/get" }],
    ["singular", { singular: "a b" }],
  ] as const)("refuses a bad %s (%j)", (field, part) => {
    expect(() => defineResource({ ...widget, ...part })).toThrow(
      new RegExp(`^defineResource: ${field}: Invalid value`),
    );
  });

  it("accepts CamelCase kinds and dashed plurals", () => {
    expect(defineResource({ ...widget, kind: "CronTab", plural: "cron-tabs" }).plural).toBe(
      "cron-tabs",
    );
  });
});
