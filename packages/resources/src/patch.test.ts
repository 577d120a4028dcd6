import { describe, expect, expectTypeOf, it } from "vitest";
import type { Deployment, Pod } from "./kinds.generated.js";
import {
  applyPatch,
  InvalidApplyConfigurationError,
  jsonPatch,
  jsonPointer,
  mergePatch,
  PatchContentType,
  type StrategicMergePatch,
  strategicMergePatch,
} from "./patch.js";

describe("patches", () => {
  it("carry the API server's content types", () => {
    expect(PatchContentType).toEqual({
      json: "application/json-patch+json",
      merge: "application/merge-patch+json",
      strategic: "application/strategic-merge-patch+json",
      apply: "application/apply-patch+yaml",
    });
  });

  it("JSON Patch: typed operations and escaped pointers", () => {
    const patch = jsonPatch([
      { op: "add", path: jsonPointer("metadata", "labels", "example.com/a~b"), value: "x" },
      { op: "remove", path: jsonPointer("spec", "containers", 0) },
    ]);
    expect(patch.contentType).toBe("application/json-patch+json");
    expect(JSON.parse(patch.body)).toEqual([
      { op: "add", path: "/metadata/labels/example.com~1a~0b", value: "x" },
      { op: "remove", path: "/spec/containers/0" },
    ]);
  });

  it("merge patch: null deletes", () => {
    const patch = mergePatch<Pod>({ metadata: { labels: { app: "web" }, annotations: null } });
    expect(patch).toEqual({
      contentType: "application/merge-patch+json",
      body: '{"metadata":{"labels":{"app":"web"},"annotations":null}}',
    });
  });

  it("strategic merge patch: directives are typed", () => {
    const body: StrategicMergePatch<Deployment> = {
      spec: {
        strategy: { $retainKeys: ["type"], type: "Recreate" },
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "web" }],
            containers: [{ name: "sidecar", $patch: "delete" }],
          },
        },
      },
    };
    const patch = strategicMergePatch<Deployment>(body);
    expect(patch.contentType).toBe("application/strategic-merge-patch+json");
    expect(JSON.parse(patch.body).spec.template.spec.containers[0]).toEqual({
      name: "sidecar",
      $patch: "delete",
    });
    // @ts-expect-error: $patch accepts only replace, merge or delete
    expectTypeOf<StrategicMergePatch<Pod>>().toMatchTypeOf<{ $patch?: "remove" }>();
  });

  it("server-side apply: requires apiVersion, kind and metadata.name", () => {
    const patch = applyPatch<Pod>({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web" },
      spec: { containers: [{ name: "web", image: "nginx" }] },
    });
    expect(patch.contentType).toBe("application/apply-patch+yaml");
    expect(JSON.parse(patch.body).metadata.name).toBe("web");
    expect(() => applyPatch({ apiVersion: "v1", kind: "Pod", metadata: { name: "" } })).toThrow(
      new InvalidApplyConfigurationError("metadata.name must be set"),
    );
    expect(() => applyPatch({ apiVersion: "", kind: "Pod", metadata: { name: "a" } })).toThrow(
      "apiVersion must be set",
    );
  });
});
