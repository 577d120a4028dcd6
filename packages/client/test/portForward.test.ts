import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import {
  type ApiServer,
  createApiServer,
  credentialsFor,
  type HttpsListener,
  listen,
} from "@kin/mock-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  createClient,
  type ForwardedConnection,
  KubeApiError,
  Pod,
  StreamError,
  type TransportError,
} from "../src/index.js";

// Port-forward against the simulated kubelet: a real TCP echo server stands behind the pod's port.
const NAMESPACE = "demo";
let api: ApiServer;
let listener: HttpsListener;
let client: Client;
let echo: Server;
const echoSockets = new Set<Socket>();

beforeAll(async () => {
  api = createApiServer();
  api.seed([
    { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } },
    { apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: NAMESPACE },
      spec: { nodeName: "node-1", containers: [{ name: "app" }] },
      status: { phase: "Running" },
    },
  ] as never);
  echo = createServer((socket) => {
    echoSockets.add(socket);
    socket.on("close", () => echoSockets.delete(socket));
    socket.on("error", () => {});
    socket.pipe(socket);
  });
  echo.listen(0, "127.0.0.1");
  await once(echo, "listening");
  api.kubelet.forwardPort(NAMESPACE, "web", 8080, { port: (echo.address() as AddressInfo).port });
  listener = await listen(api);
  client = await createClient({
    credentials: credentialsFor(listener, api.issueToken(), NAMESPACE),
    rateLimit: false,
  });
});
afterAll(async () => {
  await client.close();
  await listener.close();
  api.close();
  echo.close();
});

/** Sockets open in this process (TCP and TLS): both ends of every WebSocket and local connection. */
const openSockets = () =>
  (process as unknown as { _getActiveHandles(): object[] })
    ._getActiveHandles()
    .filter((h) => ["TLSSocket", "Socket"].includes(h.constructor.name)).length;

const waitFor = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

/** Sends `data` on a new connection to `port`, half-closes, and returns what came back. */
async function roundTrip(port: number, data: Buffer): Promise<Buffer> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  const chunks: Buffer[] = [];
  let received = 0;
  const done = new Promise<void>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= data.length) resolve();
    });
    socket.on("error", reject);
    socket.on("close", () => resolve());
  });
  for (let offset = 0; offset < data.length; offset += 64 * 1024) {
    if (!socket.write(data.subarray(offset, offset + 64 * 1024))) await once(socket, "drain");
  }
  await done;
  socket.end();
  await once(socket, "close");
  return Buffer.concat(chunks);
}

describe("portForward", () => {
  const errors: [TransportError, ForwardedConnection][] = [];
  const onError = (error: TransportError, connection: ForwardedConnection) =>
    errors.push([error, connection]);
  afterEach(() => {
    errors.length = 0;
  });

  // Generous limits on the heavy cases guard against hangs only (a loaded machine is slow).
  it("carries 100 concurrent connections, each with its own data both ways", {
    timeout: 180_000,
  }, async () => {
    const forward = await client.api(Pod).portForward("web", [8080], { onError });
    const [port] = forward.ports;
    expect(port).toMatchObject({ remote: 8080, address: "127.0.0.1" });
    const sessionsSeen: number[] = [];
    const payloads = Array.from({ length: 100 }, (_, i) => randomBytes(16 * 1024 + i * 997));
    const watcher = setInterval(() => sessionsSeen.push(api.kubelet.sessions), 2);
    const answers = await Promise.all(payloads.map((p) => roundTrip(port?.local ?? 0, p)));
    clearInterval(watcher);
    const digest = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(answers.map(digest)).toEqual(payloads.map(digest));
    expect(Math.max(...sessionsSeen)).toBeGreaterThan(1); // concurrent, not one after another
    expect(errors).toEqual([]);
    await waitFor(() => forward.connections === 0 && api.kubelet.sessions === 0);
    await forward.close();
    await waitFor(() => echoSockets.size === 0);
  });

  it("moves 32 MB through one connection intact", { timeout: 180_000 }, async () => {
    const forward = await client.api(Pod).portForward("web", [{ remote: 8080 }], { onError });
    const data = randomBytes(32 * 1024 * 1024);
    const back = await roundTrip(forward.ports[0]?.local ?? 0, data);
    expect(back.equals(data)).toBe(true);
    await forward.close();
  });

  it("reports the kubelet's error channel per connection and closes only that connection", async () => {
    const forward = await client.api(Pod).portForward("web", [9999, 8080], { onError });
    const [refused, working] = forward.ports;
    const socket = connect(refused?.local ?? 0, "127.0.0.1");
    socket.on("error", () => {});
    await once(socket, "close");
    await waitFor(() => errors.length === 1);
    const [error, connection] = errors[0] as [TransportError, ForwardedConnection];
    expect(error).toBeInstanceOf(StreamError);
    expect(error.message).toMatch(
      /^GET \/api\/v1\/namespaces\/demo\/pods\/web\/portforward\?ports=9999 → error forwarding port 9999 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace "\/var\/run\/netns\/cni-[-0-9a-f]+": failed to connect to localhost:9999 inside namespace "[0-9a-f]{64}", IPv4: dial tcp4 127.0.0.1:9999: connect: connection refused/,
    );
    expect(connection).toEqual({ remote: 9999, local: refused?.local });
    const data = randomBytes(1000);
    expect((await roundTrip(working?.local ?? 0, data)).equals(data)).toBe(true);
    await forward.close();
  });

  it("reports a refused upgrade (pod gone) for each connection", async () => {
    api.add({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "short-lived", namespace: NAMESPACE },
      spec: { nodeName: "node-1", containers: [{ name: "app" }] },
      status: { phase: "Running" },
    } as never);
    const forward = await client.api(Pod).portForward("short-lived", [8080], { onError });
    await client.api(Pod).delete("short-lived", { gracePeriodSeconds: 0 });
    const socket = connect(forward.ports[0]?.local ?? 0, "127.0.0.1");
    socket.on("error", () => {});
    await once(socket, "close");
    await waitFor(() => errors.length === 1);
    const error = errors[0]?.[0] as KubeApiError;
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.message).toBe(
      'GET /api/v1/namespaces/demo/pods/short-lived/portforward?ports=8080 → 404 NotFound: pods "short-lived" not found',
    );
    await forward.close();
  });

  it("on abort closes the listener and every connection on both sides", async () => {
    const socketsBefore = openSockets();
    const controller = new AbortController();
    const forward = await client
      .api(Pod)
      .portForward("web", [8080], { signal: controller.signal, onError });
    const local = forward.ports[0]?.local ?? 0;
    const sockets = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const socket = connect(local, "127.0.0.1");
        socket.on("error", () => {});
        await once(socket, "connect");
        socket.write("hold");
        await once(socket, "data");
        return socket;
      }),
    );
    expect(forward.connections).toBe(20);
    expect(api.kubelet.sessions).toBe(20);
    expect(openSockets()).toBeGreaterThanOrEqual(socketsBefore + 60); // local, WebSocket, pod side
    controller.abort();
    await forward.closed;
    expect(forward.connections).toBe(0);
    await Promise.all(sockets.map((s) => (s.destroyed ? undefined : once(s, "close"))));
    await waitFor(() => api.kubelet.sessions === 0 && echoSockets.size === 0);
    // Sockets of earlier tests may still be closing: none of this test's is left.
    await waitFor(() => openSockets() <= socketsBefore);
    const refused = connect(local, "127.0.0.1");
    const [failure] = (await once(refused, "error")) as [NodeJS.ErrnoException];
    expect(failure.code).toBe("ECONNREFUSED");
    expect(errors).toEqual([]);
  });

  it("checks its arguments", async () => {
    await expect(client.api(Pod).portForward("web", [])).rejects.toThrow(/at least one port/);
    await expect(client.api(Pod).portForward("web", [70000])).rejects.toThrow(/not a port/);
    const taken = await client.api(Pod).portForward("web", [8080]);
    await expect(
      client.api(Pod).portForward("web", [{ remote: 8080, local: taken.ports[0]?.local }]),
    ).rejects.toThrow(/EADDRINUSE/);
    await taken.close();
  });
});
