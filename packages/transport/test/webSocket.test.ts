import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Credentials } from "@kin/credentials";
import { credentialsFor, generateCertificates } from "@kin/mock-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import {
  createTransport,
  KubeApiError,
  RequestAbortedError,
  RequestTimeoutError,
  StreamError,
  TransportError,
} from "../src/index.js";

// The transport's WebSocket against an independent server implementation (ws) over real TLS.
type Behaviour = (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
let behaviour: Behaviour | undefined;
const seen: IncomingMessage[] = [];
const serverSockets = new Set<Socket>();
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (offered) => {
    for (const protocol of offered) if (protocol !== "v5.channel.k8s.io") return protocol;
    return false;
  },
});
let server: ReturnType<typeof createHttpsServer>;
let url: string;
let ca: string;
let token = "secret-token";

beforeAll(async () => {
  const certificates = await generateCertificates();
  ca = certificates.ca;
  server = createHttpsServer({ cert: certificates.cert, key: certificates.key }, (_req, res) =>
    res.writeHead(400).end("not an upgrade"),
  );
  server.on("connection", (socket: Socket) => {
    serverSockets.add(socket);
    socket.on("close", () => serverSockets.delete(socket));
  });
  server.on("secureConnection", (socket: Socket) => {
    serverSockets.add(socket);
    socket.on("close", () => serverSockets.delete(socket));
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    seen.push(request);
    if (behaviour?.(request, socket, head)) return;
    if (request.headers.authorization !== `Bearer ${token}`) {
      socket.end(
        "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n" +
          JSON.stringify({
            kind: "Status",
            apiVersion: "v1",
            status: "Failure",
            message: "Unauthorized",
            reason: "Unauthorized",
            code: 401,
          }),
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  behaviour = undefined;
  seen.length = 0;
  wss.removeAllListeners("connection");
  token = "secret-token";
});
afterAll(() => {
  for (const ws of wss.clients) ws.terminate();
  server.closeAllConnections();
  server.close();
});

const echo = () =>
  wss.on("connection", (ws: WebSocket) =>
    ws.on("message", (data: Buffer, binary) => ws.send(data, { binary })),
  );

const transportFor = (credentials: Credentials = credentialsFor({ url, ca }, token), env = {}) =>
  createTransport(credentials, { rateLimit: false, env });

const PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const waitFor = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe("Transport.webSocket", () => {
  it("upgrades with the bearer token and the offered subprotocols, and echoes 20 MB intact", {
    timeout: 120_000,
  }, async () => {
    echo();
    const transport = transportFor();
    const ws = await transport.webSocket({
      path: "/api/v1/namespaces/demo/pods/web/exec",
      query: { command: ["sh", "-c", "echo hi"], stdout: true, container: undefined },
      protocols: PROTOCOLS,
    });
    expect(ws.protocol).toBe("v4.channel.k8s.io");
    const request = seen[0] as IncomingMessage;
    expect(request.url).toBe(
      "/api/v1/namespaces/demo/pods/web/exec?command=sh&command=-c&command=echo+hi&stdout=true",
    );
    expect(request.headers.authorization).toBe(`Bearer ${token}`);
    expect(request.headers["sec-websocket-protocol"]).toBe("v5.channel.k8s.io, v4.channel.k8s.io");
    expect(request.headers["user-agent"]).toMatch(/^kin/);
    const sent = createHash("sha256");
    const received = createHash("sha256");
    let receivedBytes = 0;
    const total = 20 * 1024 * 1024;
    const reading = (async () => {
      for await (const message of ws) {
        received.update(message);
        receivedBytes += message.length;
        if (receivedBytes >= total) break;
      }
    })();
    for (let offset = 0; offset < total; offset += 256 * 1024) {
      const chunk = randomBytes(256 * 1024);
      sent.update(chunk);
      await ws.send([chunk.subarray(0, 1), chunk.subarray(1)]);
    }
    await reading;
    expect(received.digest("hex")).toBe(sent.digest("hex"));
    expect(await ws.close()).toMatchObject({ code: 1000, clean: true });
    await waitFor(() => serverSockets.size === 0);
    await transport.close();
  });

  it("throws the server's Status when it refuses the upgrade, naming the request", async () => {
    behaviour = (_request, socket) => {
      const body = JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: 'pods "nope" not found',
        reason: "NotFound",
        details: { name: "nope", kind: "pods" },
        code: 404,
      });
      socket.end(
        `HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
      return true;
    };
    const transport = transportFor();
    const error = await transport
      .webSocket({ path: "/api/v1/namespaces/demo/pods/nope/exec", protocols: PROTOCOLS })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).isNotFound()).toBe(true);
    expect((error as Error).message).toBe(
      'GET /api/v1/namespaces/demo/pods/nope/exec → 404 NotFound: pods "nope" not found',
    );
    await transport.close();
  });

  it("keeps a plain-text refusal as the message (a kubelet's 500) and bounds what it reads", async () => {
    behaviour = (_request, socket) => {
      socket.end(
        'HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\ncontainer not found ("c")',
      );
      return true;
    };
    const transport = transportFor();
    const error = (await transport
      .webSocket({ path: "/api/v1/namespaces/demo/pods/web/exec", protocols: PROTOCOLS })
      .catch((e: unknown) => e)) as KubeApiError;
    expect(error.code).toBe(500);
    expect(error.status.message).toBe('container not found ("c")');
    behaviour = (_request, socket) => {
      socket.write("HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\n\r\n");
      const flood = () => {
        while (socket.write(Buffer.alloc(64 * 1024, 65)));
      };
      socket.on("drain", flood);
      socket.on("error", () => {});
      flood();
      return true;
    };
    const flooded = (await transport
      .webSocket({ path: "/api/v1/namespaces/demo/pods/web/exec", protocols: PROTOCOLS })
      .catch((e: unknown) => e)) as KubeApiError;
    expect(flooded).toBeInstanceOf(KubeApiError);
    expect(flooded.body?.length).toBe(1024);
    await transport.close();
  });

  it("refreshes the credentials once on a 401 and upgrades with the new token", async () => {
    echo();
    token = "rotated";
    let invalidated = 0;
    const tokens = ["stale", "rotated"];
    const credentials: Credentials = {
      ...credentialsFor({ url, ca }, "unused"),
      auth: {
        type: "bearer",
        authorization: async () => `Bearer ${tokens[Math.min(invalidated, 1)]}`,
        invalidate: () => {
          invalidated++;
        },
      },
    };
    const transport = transportFor(credentials);
    const ws = await transport.webSocket({ path: "/api/v1/x", protocols: PROTOCOLS });
    expect(invalidated).toBe(1);
    expect(seen.map((r) => r.headers.authorization)).toEqual(["Bearer stale", "Bearer rotated"]);
    await ws.close();
    await transport.close();
  });

  it("re-reads a rotated CA after a failed handshake and connects with it", async () => {
    echo();
    const other = await generateCertificates();
    let reloads = 0;
    const credentials: Credentials = {
      ...credentialsFor({ url, ca: other.ca }, token),
      reloadCa: async () => {
        reloads++;
        return ca;
      },
    };
    const transport = transportFor(credentials);
    const ws = await transport.webSocket({ path: "/api/v1/x", protocols: PROTOCOLS });
    expect(reloads).toBe(1);
    expect(ws.protocol).toBe("v4.channel.k8s.io");
    await ws.close();
    await transport.close();
  });

  it("refuses a handshake whose subprotocol was not offered or is missing", async () => {
    const transport = transportFor();
    const error = await transport
      .webSocket({ path: "/api/v1/x", protocols: ["v5.channel.k8s.io"] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toBe(
      "GET /api/v1/x → WebSocket handshake: the server chose no subprotocol (offered: v5.channel.k8s.io)",
    );
    behaviour = (request, socket) => {
      const key = request.headers["sec-websocket-key"] as string;
      const accept = createHash("sha1")
        .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest("base64");
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\nsec-websocket-protocol: base64.channel.k8s.io\r\n\r\n`,
      );
      return true;
    };
    await expect(transport.webSocket({ path: "/api/v1/x", protocols: PROTOCOLS })).rejects.toThrow(
      'the server chose "base64.channel.k8s.io", which was not offered',
    );
    behaviour = (_request, socket) => {
      socket.write(
        "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: bogus\r\nsec-websocket-protocol: v4.channel.k8s.io\r\n\r\n",
      );
      return true;
    };
    await expect(transport.webSocket({ path: "/api/v1/x", protocols: PROTOCOLS })).rejects.toThrow(
      "Sec-WebSocket-Accept does not match the key sent",
    );
    await waitFor(() => serverSockets.size === 0);
    await transport.close();
  });

  it("checks the path and the subprotocol names before sending anything", async () => {
    const transport = transportFor();
    await expect(
      transport.webSocket({ path: "/api/v1/namespaces/../secrets", protocols: PROTOCOLS }),
    ).rejects.toThrow(TypeError);
    await expect(transport.webSocket({ path: "/api/v1/x", protocols: ["a b"] })).rejects.toThrow(
      '"a b" is not a valid subprotocol name',
    );
    expect(seen).toHaveLength(0);
    await transport.close();
  });

  it("times out and aborts a handshake that gets no answer, leaving no socket", async () => {
    behaviour = (_request, socket) => {
      socket.on("end", () => socket.end()); // never answers
      return true;
    };
    const transport = transportFor();
    const timedOut = await transport
      .webSocket({ path: "/api/v1/x", protocols: PROTOCOLS, timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(RequestTimeoutError);
    const controller = new AbortController();
    const pending = transport.webSocket({
      path: "/api/v1/x",
      protocols: PROTOCOLS,
      signal: controller.signal,
    });
    await waitFor(() => seen.length === 2);
    controller.abort(new Error("user gave up"));
    const aborted = await pending.catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(RequestAbortedError);
    expect((aborted as Error).message).toBe("GET /api/v1/x → aborted by the caller");
    // The pool may keep an idle keep-alive connection; closing the transport leaves nothing open.
    await transport.close();
    await waitFor(() => serverSockets.size === 0);
  });

  it("closes an open connection on abort: the reader fails, the server sees a close frame", async () => {
    const closes: number[] = [];
    wss.on("connection", (ws: WebSocket) => ws.on("close", (code) => closes.push(code)));
    const transport = transportFor();
    const controller = new AbortController();
    const ws = await transport.webSocket({
      path: "/api/v1/x",
      protocols: PROTOCOLS,
      signal: controller.signal,
    });
    const reading = (async () => {
      for await (const _ of ws);
    })();
    controller.abort();
    await expect(reading).rejects.toBeInstanceOf(RequestAbortedError);
    expect((await ws.closed).clean).toBe(true);
    await waitFor(() => closes.length === 1 && serverSockets.size === 0);
    expect(closes).toEqual([1000]);
    await transport.close();
  });

  it("ends the reader when the server closes, and answers its pings", async () => {
    const pongs: string[] = [];
    wss.on("connection", (ws: WebSocket) => {
      ws.on("pong", (data) => {
        pongs.push(data.toString());
        ws.send(Buffer.from("\x01bye"));
        ws.close(1000, "done");
      });
      ws.ping(Buffer.from("are you there"));
    });
    const transport = transportFor();
    const ws = await transport.webSocket({ path: "/api/v1/x", protocols: PROTOCOLS });
    const messages: string[] = [];
    for await (const message of ws) messages.push(message.toString());
    expect(messages).toEqual(["\x01bye"]);
    expect(pongs).toEqual(["are you there"]);
    expect(await ws.closed).toEqual({ code: 1000, reason: "done", clean: true });
    await transport.close();
  });

  it("tunnels through HTTPS_PROXY (CONNECT) and still verifies the server", async () => {
    echo();
    const tunnels: string[] = [];
    const proxy: Server = createHttpServer((_req, res) => res.writeHead(405).end());
    proxy.on("connect", (req, socket, head) => {
      tunnels.push(req.url ?? "");
      const upstream = connect((server.address() as AddressInfo).port, "127.0.0.1", () => {
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
    const port = (server.address() as AddressInfo).port;
    const transport = transportFor(
      credentialsFor({ url: `https://kubernetes.default.svc:${port}`, ca }, token),
      { HTTPS_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` },
    );
    const ws = await transport.webSocket({ path: "/api/v1/x", protocols: PROTOCOLS });
    await ws.send([Buffer.from("\x00ping")]);
    const reader = ws[Symbol.asyncIterator]();
    expect((await reader.next()).value?.toString()).toBe("\x00ping");
    expect(tunnels).toEqual([`kubernetes.default.svc:${port}`]);
    await ws.close();
    await transport.close();
    proxy.closeAllConnections();
    proxy.close();
  });

  it("is not available with the fetch option", async () => {
    const transport = createTransport(credentialsFor({ url, ca }, token), {
      fetch: globalThis.fetch,
    });
    const error = await transport
      .webSocket({ path: "/api/v1/x", protocols: PROTOCOLS })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/not available with the `fetch` option/);
  });

  it("interoperates with ws as a client of the same server (sanity of the test server)", async () => {
    echo();
    const client = new WebSocket(url.replace("https", "wss"), PROTOCOLS, {
      ca,
      headers: { authorization: `Bearer ${token}` },
    });
    await once(client, "open");
    expect(client.protocol).toBe("v4.channel.k8s.io");
    client.close();
    await once(client, "close");
  });
});
