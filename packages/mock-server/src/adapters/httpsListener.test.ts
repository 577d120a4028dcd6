import { X509Certificate } from "node:crypto";
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCertificates } from "../harness/certificates.js";
import { createApiServer } from "../server/apiServer.js";
import { type HttpsListener, listen } from "./httpsListener.js";

function get(
  url: string,
  ca: string | undefined,
  headers: Record<string, string> = {},
  servername?: string,
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { ca, headers, servername }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("HTTPS listener", () => {
  const api = createApiServer();
  const token = api.issueToken();
  let listener: HttpsListener;
  beforeAll(async () => {
    listener = await listen(api);
  });
  afterAll(() => listener.close());

  it("serves the core over TLS that verifies against the generated CA", async () => {
    const { status, body } = await get(`${listener.url}/api`, listener.ca, {
      authorization: `Bearer ${token}`,
    });
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({
      kind: "APIVersions",
      serverAddressByClientCIDRs: [{ serverAddress: `127.0.0.1:${listener.port}` }],
    });
  });

  it("is rejected by a client that does not trust its CA", async () => {
    await expect(get(`${listener.url}/version`, undefined)).rejects.toThrow(
      /self[- ]signed|unable to verify|issuer/i,
    );
    const other = await generateCertificates();
    await expect(get(`${listener.url}/version`, other.ca)).rejects.toThrow();
  });

  it("presents a certificate for the cluster's service names", async () => {
    const { status } = await get(
      `${listener.url}/version`,
      listener.ca,
      {},
      "kubernetes.default.svc",
    );
    expect(status).toBe(200);
    await expect(get(`${listener.url}/version`, listener.ca, {}, "evil.example")).rejects.toThrow(
      /altnames|does not match/i,
    );
  });
});

describe("generateCertificates", () => {
  it("signs a serving certificate with every SAN a cluster's API server has", async () => {
    const { ca, cert } = await generateCertificates();
    const leaf = new X509Certificate(cert);
    const authority = new X509Certificate(ca);
    expect(leaf.verify(authority.publicKey)).toBe(true);
    expect(authority.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.subjectAltName?.split(", ")).toEqual([
      "DNS:kubernetes.default.svc",
      "DNS:kubernetes.default",
      "DNS:kubernetes",
      "DNS:localhost",
      "IP Address:127.0.0.1",
      "IP Address:0:0:0:0:0:0:0:1",
    ]);
  });
});

describe("HTTPS listener streaming", () => {
  it("streams a watch over TLS and frees the watcher when the client disconnects", async () => {
    const api = createApiServer();
    const token = api.issueToken();
    const listener = await listen(api);
    try {
      const lines: string[] = [];
      const req = request(`${listener.url}/api/v1/namespaces/default/configmaps?watch=true`, {
        ca: listener.ca,
        headers: { authorization: `Bearer ${token}` },
      });
      const gotTwo = new Promise<void>((resolve) => {
        req.on("response", (res) => {
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            lines.push(...chunk.split("\n").filter(Boolean));
            if (lines.length >= 2) resolve();
          });
        });
      });
      req.end();
      await new Promise((r) => setTimeout(r, 50));
      expect(api.watchCount).toBe(1);
      api.add({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "a", namespace: "default" },
      });
      api.add({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "b", namespace: "default" },
      });
      await gotTwo;
      expect(lines.map((l) => JSON.parse(l).object.metadata.name)).toEqual(["a", "b"]);
      req.destroy();
      for (let i = 0; i < 50 && api.watchCount > 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(api.watchCount).toBe(0);
    } finally {
      await listener.close();
    }
  });
});
