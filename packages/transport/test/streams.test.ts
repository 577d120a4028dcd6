import { once } from "node:events";
import type { ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Credentials } from "@kin/credentials";
import { credentialsFor, generateCertificates } from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ConnectionResetError,
  createTransport,
  KubeApiError,
  RequestAbortedError,
  RequestTimeoutError,
  StreamError,
  type Transport,
} from "../src/index.js";

// A small purpose-built HTTPS server for what the mock server does not serve yet: watch streams
// that break in chosen ways, a log stream, and an endpoint that never answers.
const event = (type: string, name: string) =>
  `${JSON.stringify({ type, object: { metadata: { name, resourceVersion: name } } })}\n`;
const open = new Set<Socket>();
const closed: string[] = [];
let server: Server;
let transport: Transport;
let credentials: Credentials;

const routes: Record<string, (res: ServerResponse) => void> = {
  "/watch/unterminated": (res) => {
    res.write(event("ADDED", "1"));
    res.end(event("DELETED", "2").trimEnd());
  },
  "/watch/finite": (res) => {
    res.write(event("ADDED", "1"));
    res.write(event("BOOKMARK", "2"));
    res.end(event("DELETED", "3"));
  },
  "/watch/gone": (res) => {
    res.write(event("ADDED", "1"));
    res.end(
      `${JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "too old resource version: 1 (9)", reason: "Expired", code: 410 } })}\n`,
    );
  },
  "/watch/cut": (res) => {
    res.write(event("ADDED", "1"));
    res.write('{"type":"MODIFIED","object":{"meta');
    setTimeout(() => res.end(), 20);
  },
  "/watch/reset": (res) => {
    res.write(event("ADDED", "1"));
    setTimeout(() => res.socket?.destroy(), 20);
  },
  "/watch/forever": (res) => {
    res.write(event("ADDED", "1"));
    const timer = setInterval(() => res.write(event("MODIFIED", "x")), 10);
    res.on("close", () => {
      clearInterval(timer);
      closed.push("forever");
    });
  },
  "/logs": (res) => {
    let n = 0;
    const timer = setInterval(() => {
      res.write(`line ${++n}\n`);
      if (n === 3) {
        clearInterval(timer);
        res.end();
      }
    }, 5);
  },
  "/silent": () => {},
  "/never": (res) => {
    res.on("close", () => closed.push("never"));
  },
};

beforeAll(async () => {
  const certificates = await generateCertificates();
  server = createServer({ cert: certificates.cert, key: certificates.key }, (req, res) => {
    const route = routes[new URL(req.url ?? "/", "https://x").pathname];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    route(res);
  });
  server.on("connection", (socket: Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  credentials = credentialsFor({ url: `https://127.0.0.1:${port}`, ca: certificates.ca }, "t");
  transport = createTransport(credentials, { rateLimit: false });
});
afterAll(async () => {
  await transport.close();
  server.closeAllConnections();
  server.close();
});

async function names(
  path: string,
  signal?: AbortSignal,
  limit = Number.POSITIVE_INFINITY,
): Promise<string[]> {
  const seen: string[] = [];
  for await (const e of transport.watch<{ metadata: { name: string } }>({ path, signal })) {
    seen.push(`${e.type}:${e.object.metadata.name}`);
    if (seen.length >= limit) break;
  }
  return seen;
}

describe("watch over HTTPS", () => {
  it("yields ADDED, BOOKMARK and DELETED and ends when the server closes", async () => {
    expect(await names("/watch/finite")).toEqual(["ADDED:1", "BOOKMARK:2", "DELETED:3"]);
  });

  it("throws a KubeApiError that isGone() on a 410 ERROR event", async () => {
    const error = (await names("/watch/gone").catch((e: unknown) => e)) as KubeApiError;
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.isGone()).toBe(true);
    expect(error.request.path).toBe("/watch/gone?watch=true");
  });

  it("reports a stream cut in the middle of an event", async () => {
    const error = await names("/watch/cut").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toMatch(
      /^GET \/watch\/cut\?watch=true → watch stream ended in the middle of an event/,
    );
  });

  it("reports a reset connection", async () => {
    const error = await names("/watch/reset").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionResetError);
    expect((error as Error).message).toMatch(
      /^GET \/watch\/reset\?watch=true → connection to 127\.0\.0\.1:\d+ was reset/,
    );
  });

  it("yields a last event that has no newline", async () => {
    expect(await names("/watch/unterminated")).toEqual(["ADDED:1", "DELETED:2"]);
  });

  it("is not cut by timeoutMs, ends cleanly when the caller aborts, and releases the connection", async () => {
    // timeoutMs bounds only the wait for the answer: events keep coming long after it passed.
    closed.length = 0;
    // (1 s: even a loaded machine answers a warm connection within it.)
    const timed = createTransport(credentials, { rateLimit: false, timeoutMs: 1000 });
    // a warm connection: a finite watch read to its end goes back to the pool
    for await (const _ of timed.watch({ path: "/watch/finite", timeoutMs: 30_000 })) {
      // read it all
    }
    const controller = new AbortController();
    const seen: { name: string; at: number }[] = [];
    const started = performance.now();
    const watching = (async () => {
      for await (const e of timed.watch<{ metadata: { name: string } }>({
        path: "/watch/forever",
        signal: controller.signal,
      })) {
        seen.push({ name: `${e.type}:${e.object.metadata.name}`, at: performance.now() - started });
      }
    })();
    await vi.waitFor(() => expect(seen.at(-1)?.at ?? 0).toBeGreaterThan(3000), { timeout: 20_000 });
    controller.abort();
    await expect(watching).resolves.toBeUndefined();
    expect(seen[0]?.name).toBe("ADDED:1");
    await vi.waitFor(() => expect(closed).toContain("forever"), { timeout: 5000 });
    await timed.close();
  });

  it("applies the caller's signal with timeoutMs set, before the answer", async () => {
    const timed = createTransport(credentials, { rateLimit: false, timeoutMs: 60_000 });
    const controller = new AbortController();
    const pending = timed.request({ path: "/silent", signal: controller.signal }).catch((e) => e);
    controller.abort(new Error("user left"));
    const error = (await pending) as Error;
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect((error.cause as Error).message).toBe("user left");
    await timed.close();
  });

  it("has no read timeout, ends cleanly when the caller aborts, and releases the connection", async () => {
    // The server writes an event every 10 ms and never ends: abort once six have come (a count,
    // not a time window), then the loop must end without an error.
    const controller = new AbortController();
    const seen: string[] = [];
    const watch = transport.watch<{ metadata: { name: string } }>({
      path: "/watch/forever",
      signal: controller.signal,
    });
    for await (const e of watch) {
      seen.push(`${e.type}:${e.object.metadata.name}`);
      if (seen.length === 6) controller.abort();
    }
    expect(seen[0]).toBe("ADDED:1");
    expect(seen.length).toBeGreaterThanOrEqual(6);
    await vi.waitFor(() => expect(closed).toContain("forever"), { timeout: 10_000 });
  });

  it("closes the stream when the consumer stops early", async () => {
    closed.length = 0;
    expect(await names("/watch/forever", undefined, 3)).toHaveLength(3);
    await vi.waitFor(() => expect(closed).toContain("forever"), { timeout: 10_000 });
  });
});

describe("log stream", () => {
  it("streams a plain body to its end", async () => {
    const body = await transport.stream({ path: "/logs", query: { follow: true } });
    let text = "";
    for await (const chunk of body) text += chunk;
    expect(text).toBe("line 1\nline 2\nline 3\n");
  });
});

describe("timeouts", () => {
  it("times out a request that gets no answer and releases its socket", async () => {
    closed.length = 0;
    const error = await transport
      .request({ path: "/never", timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    await vi.waitFor(() => expect(closed).toEqual(["never"]), { timeout: 10_000 });
  });
});
