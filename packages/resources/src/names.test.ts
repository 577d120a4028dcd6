import { describe, expect, it } from "vitest";
import {
  assertValidLabels,
  assertValidName,
  assertValidNamespace,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  InvalidNameError,
  labelKeyErrors,
  labelValueErrors,
  qualifiedNameErrors,
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

describe("label keys and values (qualified names)", () => {
  it("accepts keys with and without a DNS prefix", () => {
    for (const key of ["app", "App_1.x", "example.com/MyName", "a".repeat(63), "k8s.io/a"]) {
      expect(labelKeyErrors(key), key).toEqual([]);
    }
    expect(qualifiedNameErrors("kubernetes.io/metadata.name")).toEqual([]);
  });

  it("rejects keys with IsQualifiedName's messages", () => {
    expect(labelKeyErrors("/a")).toEqual(["prefix part must be non-empty"]);
    expect(labelKeyErrors("a/")).toEqual([
      "name part must be non-empty",
      expect.stringMatching(/^name part must consist of alphanumeric characters/),
    ]);
    expect(labelKeyErrors("a".repeat(64))).toEqual([
      "name part must be no more than 63 characters",
    ]);
    expect(labelKeyErrors("Example.com/a")[0]).toMatch(
      /^prefix part a lowercase RFC 1123 subdomain/,
    );
    expect(labelKeyErrors("a/b/c")[0]).toMatch(
      /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e.g. 'example.com\/MyName'\)$/,
    );
  });

  it("checks label values", () => {
    expect(labelValueErrors("")).toEqual([]);
    expect(labelValueErrors("v1.2_3-x")).toEqual([]);
    expect(labelValueErrors("-a")).toEqual([
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
    expect(labelValueErrors("a".repeat(64))).toEqual(["must be no more than 63 characters"]);
  });

  it("assertValidLabels throws InvalidNameError on the first bad key or value", () => {
    expect(() => assertValidLabels({ app: "web", "example.com/tier": "" })).not.toThrow();
    expect(() => assertValidLabels({ app: "a b" })).toThrow(
      /^metadata.labels: Invalid value: "a b": a valid label/,
    );
    expect(() => assertValidLabels({ "bad key": "x" }, "labels")).toThrow(
      /^labels: Invalid value: "bad key": name part must consist/,
    );
  });
});
