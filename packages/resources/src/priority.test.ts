import { describe, expect, it } from "vitest";
import { builtinGroupOrder, compareVersions } from "./priority.js";

describe("compareVersions", () => {
  it("orders as Kubernetes does: GA, beta, alpha, then the rest by name", () => {
    const versions = [
      "v1alpha1",
      "foo",
      "v2",
      "v1beta1",
      "v10",
      "v1",
      "v11alpha2",
      "v1beta2",
      "bar",
      "v12beta1",
    ];
    expect(versions.sort(compareVersions)).toEqual([
      "v10",
      "v2",
      "v1",
      "v12beta1",
      "v1beta2",
      "v1beta1",
      "v11alpha2",
      "v1alpha1",
      "bar",
      "foo",
    ]);
  });
});

describe("builtinGroupOrder", () => {
  it("puts the core group first and lists each group once", () => {
    expect(builtinGroupOrder[0]).toBe("");
    expect(new Set(builtinGroupOrder).size).toBe(builtinGroupOrder.length);
  });
});
