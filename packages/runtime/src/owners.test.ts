import { describe, expect, it } from "vitest";
import { ownerKeys, ownerReference } from "./owners.js";

describe("owners", () => {
  it("map dependents to their owners' keys through owner references", () => {
    const dependent = {
      metadata: {
        namespace: "a",
        name: "cm",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "1", controller: true },
          { apiVersion: "apps/v1beta1", kind: "Deployment", name: "old", uid: "2" },
          { apiVersion: "v1", kind: "Node", name: "n1", uid: "3", controller: false },
        ],
      },
    };
    const deployment = { group: "apps", kind: "Deployment", namespaced: true };
    expect(ownerKeys(dependent, deployment)).toEqual(["a/web"]);
    expect(ownerKeys(dependent, deployment, { controllerOnly: false })).toEqual(["a/web", "a/old"]);
    expect(
      ownerKeys(
        dependent,
        { group: "", kind: "Node", namespaced: false },
        { controllerOnly: false },
      ),
    ).toEqual(["n1"]);
    expect(ownerKeys(dependent, { group: "", kind: "Pod", namespaced: true })).toEqual([]);
  });

  it("make owner references as controller-runtime's SetControllerReference", () => {
    const owner = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "m", uid: "u" } };
    expect(ownerReference(owner)).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "m",
      uid: "u",
      controller: true,
      blockOwnerDeletion: true,
    });
    expect(() => ownerReference({ ...owner, metadata: { name: "m" } })).toThrow(/no metadata.uid/);
  });
});
