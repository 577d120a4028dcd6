import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Redacted } from "./redact.js";

describe("Redacted", () => {
  it("gives its value only through reveal()", () => {
    const secret = new Redacted("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n");
    expect(secret.reveal()).toContain("abc");
    expect(String(secret)).toBe("<redacted>");
    expect(`${secret}`).toBe("<redacted>");
    expect(JSON.stringify({ key: secret })).toBe('{"key":"<redacted>"}');
    expect(inspect(secret)).toBe("Redacted(<redacted>)");
    expect(inspect({ key: secret }, { showHidden: true, depth: 5 })).not.toContain("abc");
  });
});
