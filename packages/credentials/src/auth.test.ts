import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { basicAuth, staticTokenProvider } from "./auth.js";

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
