import { describe, expect, it } from "vitest";
import { CredentialsError } from "./errors.js";
import { loadProxy } from "./proxy.js";

describe("loadProxy", () => {
  it("points at kubectl proxy's default address with no auth and no TLS", () => {
    expect(loadProxy()).toEqual({
      server: "http://127.0.0.1:8001",
      namespace: "default",
      origin: { kind: "proxy" },
    });
    expect(loadProxy({ url: "http://localhost:8080/", namespace: "ops" })).toMatchObject({
      server: "http://localhost:8080",
      namespace: "ops",
    });
  });

  it("takes https too, and strips every trailing slash", () => {
    expect(loadProxy({ url: "https://proxy.example:8443//" }).server).toBe(
      "https://proxy.example:8443",
    );
  });

  it("rejects what is not an http(s) URL", () => {
    expect(() => loadProxy({ url: "localhost:8001" })).toThrow(CredentialsError);
    try {
      loadProxy({ url: "ftp://x" });
    } catch (error) {
      expect(error).toMatchObject({ code: "InvalidConfig", source: "url" });
    }
    expect(() => loadProxy({ url: "ftp://x" })).toThrow(
      'kubectl proxy URL must be http or https: "ftp://x"',
    );
    expect(() => loadProxy({ url: "::" })).toThrow('kubectl proxy URL is not a URL: "::"');
    try {
      loadProxy({ url: "::" });
    } catch (error) {
      expect(error).toMatchObject({ code: "InvalidConfig", source: "url" });
      expect((error as Error).cause).toBeInstanceOf(TypeError);
    }
  });
});
