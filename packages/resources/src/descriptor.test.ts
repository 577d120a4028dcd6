import { describe, expect, it } from "vitest";
import { type ResourceDescriptor, resourcePath } from "./descriptor.js";
import { ConfigMap, Deployment, Namespace, Pod } from "./kinds.generated.js";
import { InvalidNameError } from "./names.js";

const HandWritten: ResourceDescriptor = {
  group: "example.com",
  version: "v1",
  apiVersion: "example.com/v1",
  kind: "Widget",
  plural: "widgets",
  namespaced: true,
};

describe("resourcePath", () => {
  it("builds core-group paths under /api", () => {
    expect(resourcePath(Pod, "default")).toBe("/api/v1/namespaces/default/pods");
    expect(resourcePath(ConfigMap, "team-a", "settings")).toBe(
      "/api/v1/namespaces/team-a/configmaps/settings",
    );
    expect(resourcePath(Pod, undefined)).toBe("/api/v1/pods");
    expect(resourcePath(Namespace, undefined, "kube-system")).toBe(
      "/api/v1/namespaces/kube-system",
    );
  });

  it("builds named-group paths under /apis and encodes segments", () => {
    expect(resourcePath(Deployment, "default", "web")).toBe(
      "/apis/apps/v1/namespaces/default/deployments/web",
    );
    expect(resourcePath(HandWritten, "default", "system:node ü\\x")).toBe(
      "/apis/example.com/v1/namespaces/default/widgets/system%3Anode%20%C3%BC%5Cx",
    );
  });

  it("refuses any part that would leave its segment, naming it", () => {
    expect(() => resourcePath(HandWritten, "default", "a/b")).toThrow(
      new InvalidNameError("name", "a/b", ["may not contain '/'"]),
    );
    expect(() => resourcePath(HandWritten, "default", "..")).toThrow(/^name: Invalid value/);
    expect(() => resourcePath(HandWritten, "default", "")).toThrow(/may not be empty/);
    expect(() => resourcePath(HandWritten, "..", "x")).toThrow(/^namespace: Invalid value/);
    for (const [field, part] of [
      ["plural", { plural: "configmaps\\..\\secrets" }],
      ["plural", { plural: "a/b" }],
      ["version", { version: "../v1" }],
      ["group", { group: "../.." }],
    ] as const) {
      expect(() => resourcePath({ ...HandWritten, ...part }, "default")).toThrow(
        new RegExp(`^${field}: Invalid value`),
      );
    }
  });

  it("keeps the skeleton's fields and adds what discovery says", () => {
    expect(Pod).toMatchObject({
      group: "",
      version: "v1",
      apiVersion: "v1",
      kind: "Pod",
      plural: "pods",
      singular: "pod",
      namespaced: true,
      listKind: "PodList",
      shortNames: ["po"],
      categories: ["all"],
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    });
    expect(Object.keys(Pod.subresources ?? {})).toEqual([
      "attach",
      "binding",
      "ephemeralcontainers",
      "eviction",
      "exec",
      "log",
      "portforward",
      "proxy",
      "status",
    ]);
    expect(Pod.subresources?.eviction).toEqual({
      verbs: ["create"],
      apiVersion: "policy/v1",
      kind: "Eviction",
    });
    expect(Deployment.subresources?.scale).toMatchObject({
      apiVersion: "autoscaling/v1",
      kind: "Scale",
    });
    expect(ConfigMap.plural).toBe("configmaps");
    expect(Namespace.namespaced).toBe(false);
    expect(Object.keys(Namespace.subresources ?? {})).toEqual(["finalize", "status"]);
  });
});
