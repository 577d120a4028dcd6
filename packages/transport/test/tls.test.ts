import { once } from "node:events";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { Redacted } from "@kin/credentials";
import { createCertificateAuthority, credentialsFor, DEFAULT_SERVER_NAMES } from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTransport, TlsError } from "../src/index.js";

// Mutual TLS: a server that requires a client certificate from its CA, as kube-apiserver does for
// x509 client-certificate users; it answers with the certificate's subject.
let server: Server;
let url: string;
let ca: string;
let client: { cert: string; key: string };
let stranger: { cert: string; key: string };

beforeAll(async () => {
  const authority = await createCertificateAuthority();
  const serving = await authority.issue({
    commonName: "kube-apiserver",
    names: DEFAULT_SERVER_NAMES,
    usage: "server",
  });
  client = await authority.issue({ commonName: "jane", organizations: ["dev"], usage: "client" });
  stranger = await (await createCertificateAuthority("other")).issue({
    commonName: "mallory",
    usage: "client",
  });
  ca = authority.ca;
  server = createServer(
    { ...serving, ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ user: peer.subject.CN, group: peer.subject.O }));
    },
  );
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

it("presents the credentials' client certificate", async () => {
  const transport = createTransport({
    ...credentialsFor({ url, ca }, "unused"),
    auth: undefined,
    clientCert: client.cert,
    clientKey: new Redacted(client.key),
  });
  expect(await transport.request({ path: "/whoami" })).toEqual({ user: "jane", group: "dev" });
  await transport.close();
});

it("fails the handshake without a certificate the server trusts", async () => {
  for (const extra of [{}, { clientCert: stranger.cert, clientKey: new Redacted(stranger.key) }]) {
    const transport = createTransport(
      { ...credentialsFor({ url, ca }, "unused"), ...extra },
      { retry: false },
    );
    const error = await transport.request({ path: "/whoami" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^GET \/whoami → /);
    await transport.close();
  }
});

it("names TLS verification failures with host:port", async () => {
  const other = await createCertificateAuthority("not-the-cluster");
  const transport = createTransport({
    ...credentialsFor({ url, ca: other.ca }, "unused"),
    clientCert: client.cert,
    clientKey: new Redacted(client.key),
  });
  const error = await transport.request({ path: "/whoami" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TlsError);
  expect((error as Error).message).toMatch(
    /^GET \/whoami → TLS verification of 127\.0\.0\.1:\d+ failed/,
  );
  await transport.close();
});

describe("CA rotation", () => {
  const rotated = (reads: string[]) => {
    let calls = 0;
    return {
      reloadCa: async () => reads[Math.min(calls++, reads.length - 1)] as string,
      calls: () => calls,
    };
  };
  const withClientCert = (caPem: string) => ({
    ...credentialsFor({ url, ca: caPem }, "unused"),
    clientCert: client.cert,
    clientKey: new Redacted(client.key),
  });

  it("re-reads the CA once after a verification failure, and trusts the new one (a POST too)", async () => {
    const stale = (await createCertificateAuthority("before-rotation")).ca;
    const reload = rotated([ca]);
    const transport = createTransport(
      { ...withClientCert(stale), reloadCa: reload.reloadCa },
      { retry: false, rateLimit: false },
    );
    // concurrent failures share one re-read
    const answers = await Promise.all([
      transport.request({ path: "/whoami" }),
      transport.request({ path: "/whoami" }),
      transport.request({ method: "POST", path: "/whoami", body: {} }),
    ]);
    expect(answers).toEqual(Array(3).fill({ user: "jane", group: "dev" }));
    expect(reload.calls()).toBe(1);
    // the new pool stays: no more re-reads
    await transport.request({ path: "/whoami" });
    expect(reload.calls()).toBe(1);
    await transport.close();
  });

  it("fails with a TlsError when the re-read CA is the same, or the re-read fails", async () => {
    const stale = (await createCertificateAuthority("stale")).ca;
    for (const reloadCa of [async () => stale, async () => Promise.reject(new Error("gone"))]) {
      let calls = 0;
      const transport = createTransport(
        {
          ...withClientCert(stale),
          reloadCa: () => {
            calls++;
            return reloadCa();
          },
        },
        { retry: false, rateLimit: false },
      );
      expect(await transport.request({ path: "/whoami" }).catch((e: unknown) => e)).toBeInstanceOf(
        TlsError,
      );
      expect(calls).toBe(1);
      await transport.close();
    }
  });

  it("does not re-read a CA for a failure that is not about the certificate", async () => {
    let calls = 0;
    const transport = createTransport(
      {
        ...credentialsFor({ url: "https://127.0.0.1:1", ca }, "unused"),
        reloadCa: async () => {
          calls++;
          return ca;
        },
      },
      { retry: false, rateLimit: false },
    );
    await transport.request({ path: "/whoami" }).catch(() => undefined);
    expect(calls).toBe(0);
    await transport.close();
  });
});
