import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { CredentialsError } from "./errors.js";
import { isKinError, KinError } from "./kinError.js";

// A second copy of the module, as an app gets with two installed versions of a kin package: its
// own KinError class, its own subclasses, the same brand.
// (vite loads a module once per URL: the query makes it a second instance).
const secondCopy = "./kinError.js?second-copy";
const copy: typeof import("./kinError.js") = await import(secondCopy);

describe("KinError", () => {
  it("is the root of credentials' errors, with their name, message and cause", () => {
    const cause = new Error("ENOENT");
    const error = new CredentialsError("FileUnreadable", "/var/run/x", "cannot read /var/run/x", {
      cause,
    });
    expect(error).toBeInstanceOf(KinError);
    expect(error).toBeInstanceOf(Error);
    expect(isKinError(error)).toBe(true);
    expect(error).toMatchObject({ name: "CredentialsError", code: "FileUnreadable", cause });
  });

  it("is recognised across copies of a package, by brand and by instanceof KinError", () => {
    expect(copy.KinError).not.toBe(KinError);
    class OtherCopyError extends copy.KinError {
      override readonly name = "OtherCopyError";
    }
    const foreign = new OtherCopyError("from the other copy");
    expect(isKinError(foreign)).toBe(true);
    expect(foreign instanceof KinError).toBe(true);
    expect(copy.isKinError(new CredentialsError("NotInCluster", "X", "not in a cluster"))).toBe(
      true,
    );
  });

  it("leaves instanceof of a subclass to the prototype chain", () => {
    class MineError extends KinError {}
    class TheirsError extends copy.KinError {}
    expect(new MineError("x") instanceof MineError).toBe(true);
    expect(new TheirsError("x") instanceof MineError).toBe(false);
    expect(new MineError("x") instanceof CredentialsError).toBe(false);
  });

  it("is false for anything else", () => {
    for (const value of [
      new Error("plain"),
      new TypeError("type"),
      { name: "KinError", message: "look-alike" },
      { [Symbol.for("kin.error")]: "yes" },
      "KinError",
      null,
      undefined,
      42,
    ]) {
      expect(isKinError(value), String(value)).toBe(false);
      expect(value instanceof KinError).toBe(false);
    }
  });

  it("keeps the brand out of JSON, keys and util.inspect", () => {
    const error = new CredentialsError("InvalidEnv", "KUBERNETES_SERVICE_PORT", "bad port");
    expect(Object.prototype.propertyIsEnumerable.call(error, Symbol.for("kin.error"))).toBe(false);
    expect(Object.getOwnPropertySymbols({ ...(error as object) })).toEqual([]);
    expect(JSON.stringify(error)).not.toContain("kin");
    expect(JSON.stringify(error)).not.toContain("kin.error");
    expect(inspect(error)).not.toContain("kin.error");
  });
});
