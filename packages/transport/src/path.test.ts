import { describe, expect, it } from "vitest";
import { assertSafePath, pathPrefix } from "./path.js";

describe("assertSafePath", () => {
  it.each([
    "/",
    "/api",
    "/api/v1/namespaces/default/pods/web-1",
    "/apis/apps/v1/namespaces/a/deployments/b/scale",
    "/api/v1/namespaces/x/pods/a%20b",
  ])("accepts %s", (path) => {
    expect(() => assertSafePath(path)).not.toThrow();
  });

  it.each([
    ["api", 'must start with "/"'],
    ["/api/../secrets", 'has an unsafe segment ".."'],
    ["/api/./pods", 'has an unsafe segment "."'],
    ["/api//pods", 'has an unsafe segment ""'],
    ["/api/pods/a%2Fb", 'has an unsafe segment "a%2Fb"'],
    ["/api/pods/%2e%2E", 'has an unsafe segment "%2e%2E"'],
    ["/api/pods/%zz", 'has a malformed escape in "%zz"'],
    ["/api/pods/%ag", 'has a malformed escape in "%ag"'],
    ["/api/pods/%e0%80", 'has a malformed escape in "%e0%80"'],
    ["/api?x=1", "must not hold a query or fragment"],
    ["/api/pods/x\\..\\secrets", 'has a backslash in "x\\\\..\\\\secrets"'],
    ["/api/pods/a%5cb", 'has an unsafe segment "a%5cb"'],
    ["/api/pods/.%2E", 'has an unsafe segment ".%2E"'],
    ["/api/pods/a b", 'has a character that must be percent-encoded in "a b"'],
    ["/api/pods/a\tb", 'has a character that must be percent-encoded in "a\\tb"'],
    ["/api/pods/ü", 'has a character that must be percent-encoded in "ü"'],
  ])("refuses %s", (path, problem) => {
    expect(() => assertSafePath(path)).toThrow(
      new TypeError(
        `request path ${JSON.stringify(path)} ${problem}${problem.startsWith("must not") ? " (use the query option)" : ""}`,
      ),
    );
  });
});

describe("pathPrefix", () => {
  it("is the server URL's path without trailing slashes", () => {
    expect(pathPrefix(new URL("https://h/k8s/clusters/c-1//"))).toBe("/k8s/clusters/c-1");
    expect(pathPrefix(new URL("https://h/"))).toBe("");
    expect(pathPrefix(new URL("https://h"))).toBe("");
  });
});
