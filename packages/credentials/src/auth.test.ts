import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { basicAuth, staticTokenProvider, tokenProblem } from "./auth.js";

describe("staticTokenProvider", () => {
  it("gives the token it holds and hides it from JSON and inspect", async () => {
    const provider = staticTokenProvider(" s3cr3t\n");
    expect(await provider.token()).toBe("s3cr3t");
    expect(await provider.authorization()).toBe("Bearer s3cr3t");
    expect(JSON.stringify({ auth: provider })).toBe(
      '{"auth":{"type":"bearer","token":"<redacted>"}}',
    );
    expect(inspect(provider)).not.toContain("s3cr3t");
    expect(() => staticTokenProvider("  ")).toThrow("the bearer token is empty");
  });
});

describe("basicAuth", () => {
  it("builds the Basic header and hides the password", async () => {
    const provider = basicAuth("admin", "pa:ss");
    expect(await provider.authorization()).toBe(
      `Basic ${Buffer.from("admin:pa:ss").toString("base64")}`,
    );
    expect(JSON.stringify(provider)).toBe(
      '{"type":"basic","username":"admin","password":"<redacted>"}',
    );
    expect(inspect(provider, { showHidden: true })).not.toContain("pa:ss");
    expect(inspect(provider, { showHidden: true })).not.toContain(
      Buffer.from("admin:pa:ss").toString("base64"),
    );
  });
});

describe("tokenProblem", () => {
  it("accepts visible ASCII and names the first character that is not, by position", () => {
    expect(tokenProblem("eyJhbGciOi.JSUzI1NiJ9-_~+/=")).toBeUndefined();
    expect(tokenProblem("!~")).toBeUndefined();
    expect(tokenProblem("")).toBe("is empty");
    for (const [token, at] of [
      ["a b", 2],
      ["ab\n", 3],
      ["\tab", 1],
      ["abc\u007f", 4],
      ["é", 1],
    ] as const) {
      expect(tokenProblem(token)).toBe(
        `holds a character that cannot be sent in an Authorization header (at position ${at}; a token is visible ASCII only)`,
      );
    }
  });

  it("makes staticTokenProvider refuse what a header cannot carry, and what is not a string", () => {
    expect(() => staticTokenProvider("a\nb")).toThrow(
      new TypeError(
        "the bearer token holds a character that cannot be sent in an Authorization header (at position 2; a token is visible ASCII only)",
      ),
    );
    expect(() => staticTokenProvider(12345 as unknown as string)).toThrow(
      new TypeError("the bearer token must be a string"),
    );
  });

  it("shows providers by kind in inspect, never their secret", () => {
    expect(inspect(staticTokenProvider("s3cr3t"))).toBe('StaticToken {"token":"<redacted>"}');
    expect(inspect(basicAuth("admin", "pw"))).toBe(
      'BasicAuth {"type":"basic","username":"admin","password":"<redacted>"}',
    );
    const provider = staticTokenProvider("s3cr3t");
    provider.invalidate();
    expect(provider.type).toBe("bearer");
    expect(basicAuth("a", "b").type).toBe("basic");
  });
});
