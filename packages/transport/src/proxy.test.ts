import { describe, expect, it } from "vitest";
import { noProxyMatches, selectProxy } from "./proxy.js";

const url = (text: string) => new URL(text);

describe("selectProxy", () => {
  const env = { HTTPS_PROXY: "http://proxy:3128", HTTP_PROXY: "http://plain-proxy:3128" };

  it("prefers the kubeconfig's proxy-url over the environment", () => {
    expect(selectProxy(url("https://k8s.example"), "http://kubeconfig-proxy:8080", env)).toBe(
      "http://kubeconfig-proxy:8080",
    );
    expect(selectProxy(url("https://127.0.0.1:6443"), "http://kubeconfig-proxy:8080", env)).toBe(
      "http://kubeconfig-proxy:8080",
    );
  });

  it("uses HTTPS_PROXY for https servers and HTTP_PROXY for http ones, lower-case too", () => {
    expect(selectProxy(url("https://k8s.example"), undefined, env)).toBe("http://proxy:3128");
    expect(selectProxy(url("http://k8s.example:8001"), undefined, env)).toBe(
      "http://plain-proxy:3128",
    );
    expect(
      selectProxy(url("https://k8s.example"), undefined, { https_proxy: "http://lower:1" }),
    ).toBe("http://lower:1");
    expect(selectProxy(url("https://k8s.example"), undefined, {})).toBeUndefined();
  });

  it("never sends loopback through an environment proxy, and honours NO_PROXY", () => {
    for (const server of [
      "https://127.0.0.1:6443",
      "https://127.8.9.10",
      "https://localhost",
      "https://[::1]:6443",
    ])
      expect(selectProxy(url(server), undefined, env)).toBeUndefined();
    // other addresses, IPv4 and IPv6, and names go through it
    for (const server of [
      "https://10.0.0.1:6443",
      "https://128.0.0.1",
      "https://1.127.0.0",
      "https://[fd00::1]",
      "https://localhost.example",
      "https://127.example.com",
    ])
      expect(selectProxy(url(server), undefined, env), server).toBe("http://proxy:3128");
    expect(
      selectProxy(url("https://api.internal.example"), undefined, { ...env, NO_PROXY: ".example" }),
    ).toBeUndefined();
    expect(selectProxy(url("https://api.other"), undefined, { ...env, no_proxy: "example" })).toBe(
      "http://proxy:3128",
    );
  });
});

describe("noProxyMatches", () => {
  it.each([
    ["*", "https://anything", true],
    ["example.com", "https://example.com", true],
    ["example.com", "https://api.example.com", true],
    [".example.com", "https://api.example.com", true],
    ["example.com", "https://badexample.com", false],
    ["10.0.0.1", "https://10.0.0.1:6443", true],
    ["example.com:6443", "https://example.com:6443", true],
    ["example.com:6443", "https://example.com", false],
    ["a.com, b.com", "https://b.com", true],
    ["[fd00::1]", "https://[fd00::1]:6443", true],
    ["example.com:443", "https://example.com", true],
    ["example.com:80", "http://example.com", true],
    ["example.com:443", "http://example.com", false],
    ["a]b, example.com", "https://example.com", true],
    ["a]b", "https://a", false],
  ])("%j for %s is %s", (entry, server, expected) => {
    expect(noProxyMatches(entry, url(server))).toBe(expected);
  });
});
