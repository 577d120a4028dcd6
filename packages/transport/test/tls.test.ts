import { once } from "node:events";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { Redacted } from "@kin/credentials";
import { createCertificateAuthority, credentialsFor, DEFAULT_SERVER_NAMES } from "@kin/mock-server";
import { afterAll, beforeAll, expect, it } from "vitest";
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
