import { describe, expect, it } from "vitest";
import {
  InvalidSelectorError,
  label,
  labelSelector,
  labelSelectorFromObject,
  parseLabelSelector,
} from "./labelSelector.js";

const QUALIFIED =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe("labelSelector (builder)", () => {
  it("writes what the server's Selector.String() writes, sorted by key", () => {
    expect(
      labelSelector([
        label.notIn("tier", ["db", "cache"]),
        label.eq("app", "web"),
        label.ne("env", "prod"),
        label.in("zone", ["b", "a", "b"]),
        label.exists("canary"),
        label.notExists("legacy"),
        label.gt("replicas", 2),
        label.lt("weight", 10),
      ]),
    ).toBe(
      "app=web,canary,env!=prod,!legacy,replicas>2,tier notin (cache,db),weight<10,zone in (a,b)",
    );
    expect(labelSelector({ "example.com/team": "a", app: "" })).toBe("app=,example.com/team=a");
    expect(labelSelector([])).toBe("");
  });

  it("rejects invalid keys, values and sets with the server's messages", () => {
    expect(() => labelSelector([label.eq("-bad", "x")])).toThrow(
      new InvalidSelectorError(`key: Invalid value: "-bad": name part ${QUALIFIED}`),
    );
    expect(() => labelSelector([label.eq("app", "a b")])).toThrow(
      /^values\[0\]\[app\]: Invalid value: "a b": a valid label must be an empty string or consist of/,
    );
    expect(() => labelSelector([label.in("app", [])])).toThrow(
      "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    );
    expect(() => labelSelector([label.eq("a", "x".repeat(64))])).toThrow(
      `values[0][a]: Invalid value: "${"x".repeat(64)}": must be no more than 63 characters`,
    );
    expect(() => labelSelector([{ key: "a", operator: "gt", values: ["1.5"] }])).toThrow(
      `values[0]: Invalid value: "1.5": for 'Gt', 'Lt' operators, the value must be an integer`,
    );
  });

  it("round-trips with the parser", () => {
    const text = labelSelector([
      label.in("b", ["y", "x"]),
      label.notExists("a"),
      label.eq("c", ""),
    ]);
    expect(parseLabelSelector(text).toString()).toBe(text);
  });

  it("converts a metav1.LabelSelector", () => {
    expect(
      labelSelectorFromObject({
        matchLabels: { app: "web" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["fe"] },
          { key: "old", operator: "DoesNotExist" },
        ],
      }),
    ).toBe("app=web,!old,tier in (fe)");
    expect(labelSelectorFromObject({})).toBe("");
    expect(() =>
      labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "Is" }] }),
    ).toThrow('"Is" is not a valid label selector operator');
  });
});

describe("parseLabelSelector", () => {
  it("parses every operator into sorted requirements", () => {
    const parsed = parseLabelSelector(" x in (b,a,) , !y,z notin(c), w==1, v!=2,u,t>3,s<4,r=");
    expect(parsed.requirements).toEqual([
      { key: "r", operator: "=", values: [""] },
      { key: "s", operator: "lt", values: ["4"] },
      { key: "t", operator: "gt", values: ["3"] },
      { key: "u", operator: "exists", values: [] },
      { key: "v", operator: "!=", values: ["2"] },
      { key: "w", operator: "==", values: ["1"] },
      { key: "x", operator: "in", values: ["", "a", "b"] },
      { key: "y", operator: "!", values: [] },
      { key: "z", operator: "notin", values: ["c"] },
    ]);
    expect(parsed.toString()).toBe("r=,s<4,t>3,u,v!=2,w==1,x in (,a,b),!y,z notin (c)");
    expect(parseLabelSelector("a in ()").requirements[0]?.values).toEqual([""]);
    expect(parseLabelSelector("in in (notin)").requirements[0]).toEqual({
      key: "in",
      operator: "in",
      values: ["notin"],
    });
    expect(parseLabelSelector("").requirements).toEqual([]);
    expect(parseLabelSelector("! a").toString()).toBe("!a");
  });

  it("matches like Requirement.Matches", () => {
    const m = (s: string, labels?: Record<string, string>) => parseLabelSelector(s).matches(labels);
    expect(m("", undefined)).toBe(true);
    expect(m("app=web", { app: "web" })).toBe(true);
    expect(m("app=web", {})).toBe(false);
    expect(m("app!=web", {})).toBe(true);
    expect(m("app!=web", { app: "web" })).toBe(false);
    expect(m("tier notin (db)", { tier: "fe" })).toBe(true);
    expect(m("tier in (db,fe)", { tier: "fe" })).toBe(true);
    expect(m("tier", { tier: "" })).toBe(true);
    expect(m("!tier", { tier: "" })).toBe(false);
    expect(m("n>2", { n: "3" })).toBe(true);
    expect(m("n>2", { n: "2" })).toBe(false);
    expect(m("n<2", { n: "x" })).toBe(false);
    expect(m("n<2", {})).toBe(false);
    expect(m("toString", {})).toBe(false);
  });

  it.each([
    ["a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ["a=b c", "found 'c', expected: ',' or 'end of string'"],
    ["a=b,", "found '', expected: identifier after ','"],
    [",a", "found ',', expected: !, identifier, or 'end of string'"],
    ["a in b", "unable to parse requirement: found 'b' expected: '('"],
    ["a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"],
    ["a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ["a in (b,=)", "unable to parse requirement: found '=', expected: ',', or identifier"],
    ["a=(", "unable to parse requirement: found '(', expected: identifier"],
    ["!=a", "found '!=', expected: !, identifier, or 'end of string'"],
    ["!", "unable to parse requirement: found '', expected: identifier"],
    ["a in (b,,c", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["!a=b", "found '=', expected: ',' or 'end of string'"],
    [
      "a>b",
      `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      "A_/b=c",
      `unable to parse requirement: <nil>: Invalid value: "A_/b": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
    [
      "a/b/c",
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name ${QUALIFIED} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    [
      "a=b$",
      `unable to parse requirement: values[0][a]: Invalid value: "b$": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
  ])("rejects %j: %s", (selector, message) => {
    expect(() => parseLabelSelector(selector)).toThrow(InvalidSelectorError);
    try {
      parseLabelSelector(selector);
    } catch (error) {
      expect(error).toMatchObject({ name: "InvalidSelectorError", selector, message });
    }
  });
});
