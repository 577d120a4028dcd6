import { describe, expect, it } from "vitest";
import {
  assertValidName,
  assertValidNamespace,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  InvalidNameError,
} from "./names.js";

describe("object names (DNS-1123 subdomain)", () => {
  it.each(["a", "web-1", "example.com", "0abc", "a".repeat(253)])("accepts %j", (name) => {
    expect(dns1123SubdomainErrors(name)).toEqual([]);
  });

  it.each(["", "A", "-a", "a-", "a_b", "a..b", ".", "..", "a/b", "a%2Fb", "a b", "é"])(
    "rejects %j",
    (name) => {
      expect(dns1123SubdomainErrors(name)).toEqual([
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ]);
    },
  );

  it("limits names to 253 characters", () => {
    expect(dns1123SubdomainErrors("a".repeat(254))).toEqual([
      "must be no more than 253 characters",
    ]);
  });
});

describe("namespaces (DNS-1123 label)", () => {
  it("accepts labels and rejects dots, capitals and 64 characters", () => {
    expect(dns1123LabelErrors("kube-system")).toEqual([]);
    expect(dns1123LabelErrors("a".repeat(63))).toEqual([]);
    expect(dns1123LabelErrors("a".repeat(64))).toEqual(["must be no more than 63 characters"]);
    expect(dns1123LabelErrors("a.b")[0]).toMatch(/^a lowercase RFC 1123 label must consist of/);
    expect(dns1123LabelErrors("Default")).toHaveLength(1);
  });
});

describe("assertions", () => {
  it("throw InvalidNameError naming the field and value", () => {
    expect(() => assertValidName("ok")).not.toThrow();
    expect(() => assertValidName("../secrets")).toThrow(InvalidNameError);
    expect(() => assertValidName("../secrets")).toThrow(
      /^metadata.name: Invalid value: "..\/secrets": a lowercase RFC 1123 subdomain/,
    );
    try {
      assertValidNamespace("a.b", "namespace");
    } catch (error) {
      expect(error).toMatchObject({ name: "InvalidNameError", field: "namespace", value: "a.b" });
      return;
    }
    throw new Error("expected a throw");
  });
});
