import { describe, expect, it } from "vitest";
import { deepEqual } from "./json.js";

describe("deepEqual", () => {
  it("compares JSON values structurally, key order ignored", () => {
    expect(deepEqual({ a: 1, b: [1, { c: "x" }] }, { b: [1, { c: "x" }], a: 1 })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 2 })).toBe(false);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual([], {})).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual("1", 1)).toBe(false);
  });

  it("treats a key whose value is undefined as absent, as the encoding does", () => {
    expect(deepEqual({ a: 1, status: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, status: undefined })).toBe(true);
    expect(deepEqual({ a: undefined }, { b: undefined })).toBe(true);
    expect(deepEqual({ a: undefined, b: 1 }, { a: 1 })).toBe(false);
  });
});
