import { describe, expect, it } from "vitest";
import { applyMergePatch } from "./mergePatch.js";
import { PatchError } from "./patchError.js";

describe("applyMergePatch", () => {
  const live = {
    metadata: { name: "web", labels: { app: "web", tier: "frontend" }, finalizers: ["a", "b"] },
    spec: {
      replicas: 2,
      template: { spec: { containers: [{ name: "web", image: "nginx:1.25" }, { name: "log" }] } },
    },
  };

  it("merges objects, deletes on null, replaces lists whole", () => {
    const out = applyMergePatch(live, {
      metadata: { labels: { tier: null, version: "v2" }, finalizers: ["b"] },
      spec: {
        replicas: 3,
        template: { spec: { containers: [{ name: "web", image: "nginx:1.26" }] } },
      },
    });
    expect(out).toEqual({
      metadata: { name: "web", labels: { app: "web", version: "v2" }, finalizers: ["b"] },
      spec: {
        replicas: 3,
        template: { spec: { containers: [{ name: "web", image: "nginx:1.26" }] } },
      },
    });
    expect(live.spec.replicas).toBe(2);
  });

  it("drops nulls inside new objects (RFC 7386)", () => {
    expect(applyMergePatch({}, { metadata: { annotations: { a: "1", b: null } } })).toEqual({
      metadata: { annotations: { a: "1" } },
    });
  });

  it("refuses null and scalar patches as the server does (400 Invalid JSON Patch)", () => {
    for (const patch of [null, 3, "x"]) {
      const e = (() => {
        try {
          applyMergePatch(live, patch);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(PatchError);
      expect((e as PatchError).code).toBe(400);
      expect((e as PatchError).message).toBe("Invalid JSON Patch");
    }
  });
});
