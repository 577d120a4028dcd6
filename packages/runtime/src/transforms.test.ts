import { describe, expect, it } from "vitest";
import { stripManagedFields } from "./transforms.js";

describe("stripManagedFields", () => {
  it("drops metadata.managedFields and leaves the rest", () => {
    const object = {
      metadata: { name: "x", managedFields: [{ manager: "kubectl" }] },
      data: { a: "1" },
    };
    expect(stripManagedFields(object)).toEqual({ metadata: { name: "x" }, data: { a: "1" } });
    const plain = { metadata: { name: "y" } };
    expect(stripManagedFields(plain)).toBe(plain);
  });
});
