import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { type Certificates, credentialsFor, generateCertificates } from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ConnectionError,
  createTransport,
  KubeApiError,
  RequestTimeoutError,
  ResponseTooLargeError,
  StreamError,
  type Transport,
  type TransportOptions,
} from "../src/index.js";

// A hostile HTTPS server: answers that are too large, too slow, or never end. Every route records
// the raw request target it received and whether the client closed the connection early.
const seen: string[] = [];
const closedEarly: string[] = [];
const sockets = new Set<Socket>();
let server: Server;
let certificates: Certificates;
let port: number;
const transports: Transport[] = [];

const status = (code: number, message: string) =>
  JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason: "InternalError",
    code,
  });

/** Writes `chunk` until the client goes away; records the route as closed early. */
function endless(route: string, res: ServerResponse, chunk: string): void {
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) {
      // keep writing until the socket pushes back
    }
  };
  res.on("drain", pump);
  res.on("close", () => closedEarly.push(route));
  pump();
}

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  "/ok": (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  },
  "/huge-declared": (_req, res) => {
    // Declares 10 GB, sends a little, then nothing.
    res.writeHead(200, { "content-type": "application/json", "content-length": "10000000000" });
    res.write('{"items":[');
    res.on("close", () => closedEarly.push("/huge-declared"));
  },
  "/stalled-body": (_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
    res.write('{"items":[');
    res.on("close", () => closedEarly.push("/stalled-body"));
  },
  "/endless-list": (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"items":[');
    endless("/endless-list", res, `${JSON.stringify({ metadata: { name: "x".repeat(1000) } })},`);
  },
  "/endless-error": (_req, res) => {
    res.writeHead(500, { "content-type": "text/plain" });
    endless("/endless-error", res, "e".repeat(16 * 1024));
  },
  "/long-message": (_req, res) => {
    res
      .writeHead(500, { "content-type": "application/json" })
      .end(status(500, "m".repeat(200_000)));
  },
  "/trickled-headers": (_req, res) => {
    // Sends a header line every 50 ms and never finishes the headers (undici's default waits 300 s).
    const socket = res.socket as Socket;
    socket.write("HTTP/1.1 200 OK\r\n");
    let n = 0;
    const timer = setInterval(() => socket.write(`x-slow-${n++}: 1\r\n`), 50);
    socket.on("close", () => {
      clearInterval(timer);
      closedEarly.push("/trickled-headers");
    });
  },
  "/header-overflow": (_req, res) => {
    res.writeHead(200, { "x-big": "h".repeat(20_000) }).end("{}");
  },
  "/watch-huge-event": (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write(`${JSON.stringify({ type: "ADDED", object: { metadata: { name: "a" } } })}\n`);
    endless("/watch-huge-event", res, "y".repeat(16 * 1024));
  },
};

beforeAll(async () => {
  certificates = await generateCertificates();
  server = createServer({ cert: certificates.cert, key: certificates.key }, (req, res) => {
    seen.push(req.url ?? "");
    const path = new URL(req.url ?? "/", "https://x").pathname.replace(/^\/k8s\/clusters\/c-1/, "");
    const route = routes[path];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  for (const socket of sockets) socket.destroy();
  server.close();
});

function transportFor(options: TransportOptions = {}, path = ""): Transport {
  const transport = createTransport(
    credentialsFor({ url: `https://127.0.0.1:${port}${path}`, ca: certificates.ca }, "t"),
    { rateLimit: false, retry: false, ...options },
  );
  transports.push(transport);
  return transport;
}
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("answers too large", () => {
  it("refuses a body whose Content-Length is over maxResponseBytes without reading it", async () => {
    const error = (await failure(transportFor().request({ path: "/huge-declared" }))) as Error;
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).not.toBeInstanceOf(ConnectionError);
    expect(error.message).toBe(
      "GET /huge-declared → 200 with a body over 268435456 bytes (maxResponseBytes): read it in pages (limit and continue) or raise the limit",
    );
    await vi.waitFor(() => expect(closedEarly).toContain("/huge-declared"));
  });

  it("stops reading a body without Content-Length at maxResponseBytes", async () => {
    const error = (await failure(
      transportFor({ maxResponseBytes: 64 * 1024 }).request({ path: "/endless-list" }),
    )) as ResponseTooLargeError;
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error.limit).toBe(64 * 1024);
    await vi.waitFor(() => expect(closedEarly).toContain("/endless-list"));
  });

  it("reads an error body only up to a bound, and keeps 1 KiB of it", async () => {
    const error = (await failure(
      transportFor().request({ path: "/endless-error" }),
    )) as KubeApiError;
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.code).toBe(500);
    expect(error.body).toBe("e".repeat(1024));
    await vi.waitFor(() => expect(closedEarly).toContain("/endless-error"));
  });

  it("keeps a bounded part of a long Status message in error.message, all of it in status", async () => {
    const error = (await failure(
      transportFor().request({ path: "/long-message" }),
    )) as KubeApiError;
    expect(error.status.message).toHaveLength(200_000);
    expect(error.message).toBe(
      `GET /long-message → 500 InternalError: ${"m".repeat(1024)}… (198976 more characters in status.message)`,
    );
  });

  it("says so when the response headers are over undici's limit", async () => {
    const error = (await failure(transportFor().request({ path: "/header-overflow" }))) as Error;
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error.message).toBe(
      `GET /header-overflow → 127.0.0.1:${port} sent response headers over 16384 bytes`,
    );
  });

  it("refuses a watch event over maxWatchEventBytes with a StreamError, after the events before it", async () => {
    const names: string[] = [];
    const error = await (async () => {
      for await (const event of transportFor({ maxWatchEventBytes: 1024 * 1024 }).watch<{
        metadata: { name: string };
      }>({ path: "/watch-huge-event" })) {
        names.push(event.object.metadata.name);
      }
    })().catch((e: unknown) => e);
    expect(names).toEqual(["a"]);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toBe(
      "GET /watch-huge-event?watch=true → watch event over 1048576 bytes (maxWatchEventBytes), refused",
    );
    await vi.waitFor(() => expect(closedEarly).toContain("/watch-huge-event"));
  });
});

describe("answers too slow", () => {
  it("ends headers trickled in one by one at headersTimeoutMs, with a RequestTimeoutError", async () => {
    const error = (await failure(
      transportFor({ headersTimeoutMs: 300 }).request({ path: "/trickled-headers" }),
    )) as Error;
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error.message).toBe(
      `GET /trickled-headers → 127.0.0.1:${port} sent no complete response headers within 300 ms (headersTimeoutMs)`,
    );
    await vi.waitFor(() => expect(closedEarly).toContain("/trickled-headers"));
  });

  it("ends a stalled body at bodyTimeoutMs, with a RequestTimeoutError", async () => {
    const error = (await failure(
      transportFor({ bodyTimeoutMs: 300 }).request({ path: "/stalled-body" }),
    )) as Error;
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error.message).toBe(
      `GET /stalled-body → 127.0.0.1:${port} stopped sending the response body: nothing for 300 ms (bodyTimeoutMs)`,
    );
  });

  it("reports a body that outlives timeoutMs as a RequestTimeoutError, not 'cannot reach'", async () => {
    const error = (await failure(
      transportFor().request({ path: "/stalled-body", timeoutMs: 300 }),
    )) as Error;
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error.message).toBe(
      `GET /stalled-body → no answer from 127.0.0.1:${port} within 300 ms`,
    );
  });

  it("has sane defaults: 90 s for headers, 60 s of silence in a body", async () => {
    const { DEFAULT_BODY_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_MAX_RESPONSE_BYTES } =
      await import("../src/transport.js");
    expect([
      DEFAULT_HEADERS_TIMEOUT_MS,
      DEFAULT_BODY_TIMEOUT_MS,
      DEFAULT_MAX_RESPONSE_BYTES,
    ]).toEqual([90_000, 60_000, 256 * 1024 * 1024]);
  });

  it("refuses limits that are not positive integers, naming the option", () => {
    expect(() => transportFor({ headersTimeoutMs: 0 })).toThrow(/^headersTimeoutMs must be/);
    expect(() => transportFor({ maxResponseBytes: 2 ** 30 })).toThrow(/^maxResponseBytes must be/);
    expect(() => transportFor({ maxWatchEventBytes: 1.5 })).toThrow(/^maxWatchEventBytes must be/);
  });
});

describe("request targets", () => {
  it("refuses a path that a URL parser would turn into another one, before any request", async () => {
    seen.length = 0;
    const transport = transportFor();
    for (const path of [
      "/api/v1/namespaces/default/configmaps/x\\..\\..\\..\\kube-system\\secrets",
      "/api/v1/namespaces/default/configmaps/%2e%2E",
      "/api/v1/namespaces/default/configmaps/.%2e",
      "/api/v1/namespaces/default/configmaps/a%5Cb",
      "/api/v1/namespaces/default/configmaps/a\tb",
      "/api/v1/namespaces/default/configmaps/a b",
    ]) {
      await expect(transport.request({ path }), path).rejects.toThrow(TypeError);
    }
    expect(seen).toEqual([]);
  });

  it("keeps the server URL's path prefix for requests, watches and streams", async () => {
    seen.length = 0;
    const transport = transportFor({}, "/k8s/clusters/c-1");
    expect(await transport.request({ path: "/ok", query: { a: "../../x" } })).toEqual({ ok: true });
    await failure(transport.stream({ path: "/missing" }));
    await failure(
      (async () => {
        for await (const _ of transport.watch({ path: "/missing" })) break;
      })(),
    );
    expect(seen).toEqual([
      "/k8s/clusters/c-1/ok?a=..%2F..%2Fx",
      "/k8s/clusters/c-1/missing",
      "/k8s/clusters/c-1/missing?watch=true",
    ]);
  });
});
