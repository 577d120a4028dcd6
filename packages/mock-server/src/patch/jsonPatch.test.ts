import { describe, expect, it } from "vitest";
import { applyJsonPatch, JSON_PATCH_REJECTED_MESSAGE, parseJsonPointer } from "./jsonPatch.js";
import { PatchError } from "./patchError.js";

const deployment = () => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "web",
    namespace: "default",
    labels: { app: "web", "app.kubernetes.io/name": "web" },
  },
  spec: {
    replicas: 2,
    template: { spec: { containers: [{ name: "web", image: "nginx:1.25" }] } },
  },
});

function error(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error("expected a PatchError");
}

describe("applyJsonPatch", () => {
  it("adds, replaces and removes, without touching the input", () => {
    const live = deployment();
    const out = applyJsonPatch(live, [
      { op: "replace", path: "/spec/replicas", value: 5 },
      { op: "add", path: "/metadata/annotations", value: { team: "a" } },
      { op: "remove", path: "/metadata/labels/app" },
    ]) as ReturnType<typeof deployment> & { metadata: { annotations: unknown } };
    expect(out.spec.replicas).toBe(5);
    expect(out.metadata.annotations).toEqual({ team: "a" });
    expect(out.metadata.labels).toEqual({ "app.kubernetes.io/name": "web" });
    expect(live.spec.replicas).toBe(2);
  });

  it("unescapes ~1 and ~0 in pointers", () => {
    expect(parseJsonPointer("/metadata/labels/a~1b~0c")).toEqual(["metadata", "labels", "a/b~c"]);
    const out = applyJsonPatch(deployment(), [
      { op: "replace", path: "/metadata/labels/app.kubernetes.io~1name", value: "api" },
    ]) as ReturnType<typeof deployment>;
    expect(out.metadata.labels["app.kubernetes.io/name"]).toBe("api");
  });

  it("appends with - and inserts at an index", () => {
    const out = applyJsonPatch(deployment(), [
      {
        op: "add",
        path: "/spec/template/spec/containers/-",
        value: { name: "sidecar", image: "envoy" },
      },
      {
        op: "add",
        path: "/spec/template/spec/containers/0",
        value: { name: "init", image: "busybox" },
      },
    ]) as ReturnType<typeof deployment>;
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual([
      "init",
      "web",
      "sidecar",
    ]);
  });

  it("moves and copies", () => {
    const out = applyJsonPatch({ metadata: { labels: { a: "1" }, annotations: {} } }, [
      { op: "copy", from: "/metadata/labels/a", path: "/metadata/annotations/a" },
      { op: "move", from: "/metadata/labels/a", path: "/metadata/labels/b" },
    ]);
    expect(out).toEqual({ metadata: { labels: { b: "1" }, annotations: { a: "1" } } });
  });

  it("passes a test that holds and adds the finalizer after it", () => {
    const out = applyJsonPatch({ metadata: { resourceVersion: "7", finalizers: ["a"] } }, [
      { op: "test", path: "/metadata/resourceVersion", value: "7" },
      { op: "add", path: "/metadata/finalizers/-", value: "example.com/cleanup" },
    ]);
    expect(out).toEqual({
      metadata: { resourceVersion: "7", finalizers: ["a", "example.com/cleanup"] },
    });
  });

  it("answers a failed test with the server's generic 422", () => {
    const e = error(() =>
      applyJsonPatch(deployment(), [{ op: "test", path: "/spec/replicas", value: 3 }]),
    );
    expect(e.code).toBe(422);
    expect(e.reason).toBe("Invalid");
    expect(e.message).toBe(JSON_PATCH_REJECTED_MESSAGE);
    expect(e.detail).toBe("testing value /spec/replicas failed: test failed");
  });

  it("refuses paths that do not exist with 422", () => {
    expect(
      error(() => applyJsonPatch(deployment(), [{ op: "remove", path: "/spec/paused" }])).code,
    ).toBe(422);
    expect(
      error(() =>
        applyJsonPatch(deployment(), [{ op: "replace", path: "/status/replicas", value: 1 }]),
      ).detail,
    ).toContain("missing");
    expect(
      error(() =>
        applyJsonPatch(deployment(), [
          { op: "add", path: "/spec/strategy/type", value: "Recreate" },
        ]),
      ).detail,
    ).toBe(
      'add operation does not apply: doc is missing path: "/spec/strategy/type": missing value',
    );
    expect(
      error(() =>
        applyJsonPatch(deployment(), [
          { op: "add", path: "/spec/template/spec/containers/5", value: {} },
        ]),
      ).code,
    ).toBe(422);
    expect(error(() => applyJsonPatch(deployment(), [{ op: "spam", path: "/a" }])).detail).toBe(
      "Unexpected kind: spam",
    );
  });

  it("answers a body that is not a list of operations with the decoder's 400", () => {
    const e = error(() => applyJsonPatch(deployment(), { op: "add" }));
    expect(e.code).toBe(400);
    expect(e.message).toBe("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
    expect(error(() => applyJsonPatch(deployment(), ["x"])).message).toBe(
      "json: cannot unmarshal string into Go value of type jsonpatch.Operation",
    );
  });
});
