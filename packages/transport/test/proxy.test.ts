import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { createApiServer, credentialsFor, type HttpsListener, listen } from "@kin/mock-server";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createTransport, DnsError } from "../src/index.js";

// An HTTP CONNECT proxy (what HTTPS_PROXY points at) that tunnels every request to the mock
// server, whatever host was asked for, and records what it was asked.
const api = createApiServer();
const token = api.issueToken();
let listener: HttpsListener;
let proxy: Server;
let proxyUrl: string;
const tunnels: string[] = [];

beforeAll(async () => {
  listener = await listen(api);
  proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on("connect", (req, socket, head) => {
    tunnels.push(req.url ?? "");
    const upstream = connect(listener.port, "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
beforeEach(() => {
  tunnels.length = 0;
});
afterAll(async () => {
  await listener.close();
  proxy.closeAllConnections();
  proxy.close();
});

// The serving certificate is for kubernetes.default.svc, a name only the proxy can reach here.
const server = () => `https://kubernetes.default.svc:${listener.port}`;

it("tunnels through HTTPS_PROXY and still verifies the server's certificate", async () => {
  const transport = createTransport(credentialsFor({ url: server(), ca: listener.ca }, token), {
    env: { HTTPS_PROXY: proxyUrl },
  });
  expect(await transport.request({ path: "/api" })).toMatchObject({ kind: "APIVersions" });
  expect(tunnels).toEqual([`kubernetes.default.svc:${listener.port}`]);
  await transport.close();
});

it("prefers the kubeconfig's proxy-url over the environment", async () => {
  const credentials = { ...credentialsFor({ url: server(), ca: listener.ca }, token), proxyUrl };
  const transport = createTransport(credentials, { env: { HTTPS_PROXY: "http://127.0.0.1:9" } });
  expect(await transport.request({ path: "/version" })).toMatchObject({ major: "1" });
  expect(tunnels).toHaveLength(1);
  await transport.close();
});

it("connects directly when NO_PROXY names the server (and then cannot resolve it here)", async () => {
  const transport = createTransport(credentialsFor({ url: server(), ca: listener.ca }, token), {
    env: { HTTPS_PROXY: proxyUrl, NO_PROXY: ".svc" },
    retry: false,
  });
  const error = await transport.request({ path: "/api" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DnsError);
  expect((error as Error).message).toMatch(
    new RegExp(`^GET /api → cannot resolve kubernetes.default.svc:${listener.port}`),
  );
  expect(tunnels).toEqual([]);
  await transport.close();
});
