import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { InvalidSelectorError, parseLabelSelector } from "./labelSelector.js";
import { assertValidName, InvalidNameError } from "./names.js";
import { applyPatch, InvalidApplyConfigurationError } from "./patch.js";

/** What the thrown error of `fn` is. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("did not throw");
}

// The brand of every kin error; `isKinError()` and `instanceof KinError` (in @kin/credentials,
// re-exported by @kin/client) check it. packages/client/test/errors.test.ts checks across packages.
const KIN_ERROR = Symbol.for("kin.error");

describe("resources' errors", () => {
  const errors = [
    [thrown(() => assertValidName("Bad_Name")), InvalidNameError],
    [thrown(() => parseLabelSelector("a in (")), InvalidSelectorError],
    [thrown(() => applyPatch({ kind: "Pod" } as never)), InvalidApplyConfigurationError],
  ] as const;

  it.each(errors)("are kin errors by brand, with their own name: %s", (error, type) => {
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(Error);
    expect((error as { [KIN_ERROR]?: unknown })[KIN_ERROR]).toBe(true);
    expect((error as Error).name).toBe(type.name);
  });

  it.each(errors)("keep the brand out of keys, JSON and util.inspect: %s", (error) => {
    expect(Object.prototype.propertyIsEnumerable.call(error, Symbol.for("kin.error"))).toBe(false);
    expect(Object.getOwnPropertySymbols({ ...(error as object) })).toEqual([]);
    expect(JSON.stringify(error)).not.toContain("kin");
    expect(inspect(error)).not.toContain("kin.error");
  });
});
