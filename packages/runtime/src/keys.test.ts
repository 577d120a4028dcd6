import { describe, expect, it } from "vitest";
import { objectKey, splitKey } from "./keys.js";
import { DeletedFinalStateUnknown, finalStateOf } from "./tombstone.js";

describe("keys", () => {
  it("are namespace/name, or name for cluster-scoped objects, as client-go's", () => {
    expect(objectKey({ metadata: { namespace: "a", name: "x" } })).toBe("a/x");
    expect(objectKey({ metadata: { name: "node-1" } })).toBe("node-1");
    expect(() => objectKey({ metadata: {} })).toThrow(/no metadata.name/);
    expect(splitKey("a/x")).toEqual({ namespace: "a", name: "x" });
    expect(splitKey("node-1")).toEqual({ namespace: undefined, name: "node-1" });
    expect(() => splitKey("a/b/c")).toThrow(/is not "namespace\/name"/);
    expect(() => splitKey("/x")).toThrow(TypeError);
  });

  it("tombstones carry the last known state", () => {
    const last = { metadata: { name: "x" } };
    const tombstone = new DeletedFinalStateUnknown("x", last);
    expect(finalStateOf(tombstone)).toBe(last);
    expect(finalStateOf(last)).toBe(last);
    expect(Object.isFrozen(tombstone)).toBe(true);
  });
});
