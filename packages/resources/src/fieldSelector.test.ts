import { describe, expect, it } from "vitest";
import {
  escapeFieldValue,
  fieldSelector,
  fieldValue,
  parseFieldSelector,
} from "./fieldSelector.js";
import { InvalidSelectorError } from "./labelSelector.js";

describe("fieldSelector (builder)", () => {
  it("escapes values and sorts terms as the server does", () => {
    expect(fieldSelector({ "status.phase": "Running", "metadata.name": "a,b=c\\d" })).toBe(
      "metadata.name=a\\,b\\=c\\\\d,status.phase=Running",
    );
    expect(
      fieldSelector([
        { field: "spec.nodeName", operator: "!=", value: "" },
        { field: "metadata.namespace", operator: "==", value: "x" },
      ]),
    ).toBe("metadata.namespace=x,spec.nodeName!=");
    expect(() => fieldSelector({ "": "x" })).toThrow(InvalidSelectorError);
  });

  it("round-trips with the parser", () => {
    const text = fieldSelector({ "metadata.name": "a,b=c\\d", "spec.nodeName": "n1" });
    const parsed = parseFieldSelector(text);
    expect(parsed.requirements).toEqual([
      { field: "metadata.name", operator: "=", value: "a,b=c\\d" },
      { field: "spec.nodeName", operator: "=", value: "n1" },
    ]);
    expect(parsed.toString()).toBe(text);
  });
});

describe("parseFieldSelector", () => {
  it("parses =, == and != and matches objects", () => {
    const parsed = parseFieldSelector("status.phase!=Failed,metadata.name==web");
    expect(parsed.requirements.map((r) => r.operator)).toEqual(["==", "!="]);
    expect(parsed.matches({ metadata: { name: "web" }, status: { phase: "Running" } })).toBe(true);
    expect(parsed.matches({ metadata: { name: "web" }, status: { phase: "Failed" } })).toBe(false);
    expect(parsed.matches({ metadata: { name: "db" } })).toBe(false);
    expect(parseFieldSelector("").matches({})).toBe(true);
    expect(parseFieldSelector("spec.nodeName=").matches({ spec: {} })).toBe(true);
    expect(fieldValue({ a: { b: 3 } }, "a.b")).toBe("3");
    expect(escapeFieldValue("=")).toBe("\\=");
  });

  it("rejects what the server rejects, with its messages", () => {
    expect(() => parseFieldSelector("status.phase")).toThrow(
      "invalid selector: 'status.phase'; can't understand 'status.phase'",
    );
    expect(() => parseFieldSelector("a=b\\x")).toThrow(
      "invalid field selector: invalid escape sequence: \\x",
    );
    expect(() => parseFieldSelector("a=b=c")).toThrow(
      "invalid field selector: unescaped character in value: 61",
    );
    expect(() => parseFieldSelector("a=b\\")).toThrow(
      "invalid field selector: invalid escape sequence: \\",
    );
  });
});
