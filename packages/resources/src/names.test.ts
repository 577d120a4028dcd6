import { describe, expect, it } from "vitest";
import {
  assertValidLabels,
  assertValidName,
  assertValidNamespace,
  assertValidPathSegmentName,
  dns1035LabelErrors,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  InvalidNameError,
  labelKeyErrors,
  labelValueErrors,
  objectNameErrors,
  parseApiVersion,
  pathSegmentNameErrors,
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

describe("names per kind (kube-apiserver v1.28's ValidateObjectMeta name functions)", () => {
  const kind = (group: string, name: string) => ({ group, kind: name });

  it("takes RBAC names as path segments: system:discovery, system:node", () => {
    for (const name of [
      "system:discovery",
      "system:node",
      "system:controller:job-controller",
      "Admin Role",
    ]) {
      expect(
        objectNameErrors(kind("rbac.authorization.k8s.io", "ClusterRole"), name),
        name,
      ).toEqual([]);
      expect(() =>
        assertValidName(name, "metadata.name", kind("rbac.authorization.k8s.io", "RoleBinding")),
      ).not.toThrow();
    }
    expect(objectNameErrors(kind("rbac.authorization.k8s.io", "Role"), "a/b")).toEqual([
      "may not contain '/'",
    ]);
    expect(objectNameErrors(kind("rbac.authorization.k8s.io", "Role"), "..")).toEqual([
      "may not be '..'",
    ]);
    expect(objectNameErrors(kind("rbac.authorization.k8s.io", "Role"), "100%")).toEqual([
      "may not contain '%'",
    ]);
  });

  it("keeps the stricter rules where the server has them", () => {
    // DNS-1123 label
    expect(objectNameErrors(kind("", "Namespace"), "a.b")).toHaveLength(1);
    expect(objectNameErrors(kind("apps", "StatefulSet"), "web.v2")).toHaveLength(1);
    expect(objectNameErrors(kind("apps", "StatefulSet"), "web-2")).toEqual([]);
    // DNS-1035 label: must start with a letter
    expect(objectNameErrors(kind("", "Service"), "1web")[0]).toMatch(/^a DNS-1035 label must/);
    expect(objectNameErrors(kind("", "Service"), "web-1")).toEqual([]);
    // DNS-1123 subdomain: most kinds, and custom resources
    for (const k of [kind("", "Pod"), kind("apps", "Deployment"), kind("example.com", "Widget")]) {
      expect(objectNameErrors(k, "system:node")).toHaveLength(1);
      expect(objectNameErrors(k, "web.v1-2")).toEqual([]);
    }
    // core/v1 Events take any path segment, events.k8s.io/v1 ones a subdomain
    expect(objectNameErrors(kind("", "Event"), "Web_1.17a")).toEqual([]);
    expect(objectNameErrors(kind("events.k8s.io", "Event"), "Web_1.17a")).toHaveLength(1);
    // without a kind, assertValidName keeps the subdomain rule
    expect(() => assertValidName("system:node")).toThrow(InvalidNameError);
  });

  it("checks names read from a path as the server does: not empty, '.', '..', no '/' or '%'", () => {
    expect(pathSegmentNameErrors("x\\y ü:z")).toEqual([]);
    expect(pathSegmentNameErrors("")).toEqual(["may not be empty"]);
    expect(pathSegmentNameErrors(".")).toEqual(["may not be '.'"]);
    expect(pathSegmentNameErrors("a/%")).toEqual(["may not contain '/'", "may not contain '%'"]);
    expect(() => assertValidPathSegmentName("../x")).toThrow(
      new InvalidNameError("name", "../x", ["may not contain '/'"]),
    );
  });

  it("checks DNS-1035 labels with IsDNS1035Label's messages", () => {
    expect(dns1035LabelErrors("abc-123")).toEqual([]);
    expect(dns1035LabelErrors("a".repeat(64))).toContain("must be no more than 63 characters");
    expect(dns1035LabelErrors("-a")).toHaveLength(1);
  });
});

describe("parseApiVersion", () => {
  it("splits group and version", () => {
    expect(parseApiVersion("v1")).toEqual({ group: "", version: "v1" });
    expect(parseApiVersion("apps/v1")).toEqual({ group: "apps", version: "v1" });
    expect(parseApiVersion("example.com/v1alpha1")).toEqual({
      group: "example.com",
      version: "v1alpha1",
    });
  });

  it.each([
    "../v1",
    "apps/../v1",
    "apps/v1/x",
    "",
    "/v1",
    "apps/",
    "Apps/v1",
    "a\\b/v1",
    "apps/v%31",
  ])("refuses %j, naming apiVersion", (apiVersion) => {
    expect(() => parseApiVersion(apiVersion)).toThrow(InvalidNameError);
    expect(() => parseApiVersion(apiVersion)).toThrow(
      `apiVersion: Invalid value: ${JSON.stringify(apiVersion)}: `,
    );
  });
});
