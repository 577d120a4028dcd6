import { describe, expect, it } from "vitest";
import { ConfigMap, Namespace, Pod } from "./core.js";
import { type ResourceDescriptor, resourcePath } from "./descriptor.js";

const Deployment: ResourceDescriptor = {
  group: "apps",
  version: "v1",
  apiVersion: "apps/v1",
  kind: "Deployment",
  plural: "deployments",
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
    expect(resourcePath(Deployment, "default", "a/b")).toBe(
      "/apis/apps/v1/namespaces/default/deployments/a%2Fb",
    );
  });

  it("describes the skeleton's kinds", () => {
    expect(Pod).toEqual({
      group: "",
      version: "v1",
      apiVersion: "v1",
      kind: "Pod",
      plural: "pods",
      namespaced: true,
    });
    expect(ConfigMap.plural).toBe("configmaps");
    expect(Namespace.namespaced).toBe(false);
  });
});
