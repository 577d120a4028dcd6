import { createServer } from "node:net";
import {
  createApiServer,
  credentialsFor,
  generateCertificates,
  type HttpsListener,
  listen,
} from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectionError,
  ConnectionRefusedError,
  createTransport,
  KubeApiError,
  RequestAbortedError,
  TlsError,
} from "../src/index.js";

// Integration: the undici pool against the mock server's real HTTPS listener, with real TLS verification.
const api = createApiServer();
const token = api.issueToken();
let listener: HttpsListener;
beforeAll(async () => {
  listener = await listen(api);
});
afterAll(() => listener.close());

describe("transport over HTTPS", () => {
  it("verifies the server with the credentials' CA and reuses the connection", async () => {
    const transport = createTransport(credentialsFor(listener, token));
    const versions = await transport.request<{ versions: string[] }>({ path: "/api" });
    expect(versions.versions).toEqual(["v1"]);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        transport.request<{ gitVersion: string }>({ path: "/version" }),
      ),
    );
    expect(new Set(answers.map((a) => a.gitVersion))).toEqual(new Set(["v1.28.4"]));
    await transport.close();
  });

  it("fails TLS verification against a CA that did not sign the server", async () => {
    const other = await generateCertificates();
    const transport = createTransport(credentialsFor({ url: listener.url, ca: other.ca }, token));
    const error = (await transport
      .request({ path: "/version" })
      .catch((e: unknown) => e)) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toBeInstanceOf(TlsError);
    expect(error.message).toMatch(
      new RegExp(`^GET /version → TLS verification of 127.0.0.1:${listener.port} failed`),
    );
    await transport.close();
  });

  it("fails TLS verification with only the system roots", async () => {
    const transport = createTransport(credentialsFor({ url: listener.url }, token));
    await expect(transport.request({ path: "/version" })).rejects.toThrow(/TLS verification/);
    await transport.close();
  });

  it("verifies against tlsServerName instead of the URL's host", async () => {
    const good = createTransport({
      ...credentialsFor(listener, token),
      tlsServerName: "kubernetes.default.svc",
    });
    expect(await good.request({ path: "/version" })).toMatchObject({ major: "1" });
    const bad = createTransport({
      ...credentialsFor(listener, token),
      tlsServerName: "evil.example",
    });
    await expect(bad.request({ path: "/version" })).rejects.toThrow(
      /TLS verification of .* failed: Hostname\/IP does not match/,
    );
    await good.close();
    await bad.close();
  });

  it("skips verification only when the credentials say insecureSkipTlsVerify", async () => {
    const transport = createTransport({
      ...credentialsFor({ url: listener.url }, token),
      insecureSkipTlsVerify: true,
    });
    expect(await transport.request({ path: "/version" })).toMatchObject({ major: "1" });
    await transport.close();
  });

  it("carries the server's Status in an KubeApiError", async () => {
    const transport = createTransport(credentialsFor(listener, "not-a-token"));
    const error = (await transport
      .request({ path: "/api/v1/namespaces/default/pods" })
      .catch((e: unknown) => e)) as KubeApiError;
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.message).toBe(
      "GET /api/v1/namespaces/default/pods → 401 Unauthorized: Unauthorized",
    );
    await transport.close();
  });

  it("reports an unreachable server", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const transport = createTransport(
      credentialsFor({ url: `https://127.0.0.1:${port}`, ca: listener.ca }, token),
      { retry: { backoffBaseMs: 1 } },
    );
    const error = (await transport
      .request({ path: "/version" })
      .catch((e: unknown) => e)) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionRefusedError);
    expect(error.message).toMatch(
      new RegExp(`^GET /version → connection refused by 127.0.0.1:${port}: .*ECONNREFUSED`),
    );
    await transport.close();
  });

  it("rejects with a RequestAbortedError keeping the reason when the caller aborts", async () => {
    const transport = createTransport(credentialsFor(listener, token));
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const error = (await transport
      .request({ path: "/version", signal: controller.signal })
      .catch((e: unknown) => e)) as RequestAbortedError;
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect((error.cause as Error).message).toBe("stop");
    await transport.close();
  });
});
