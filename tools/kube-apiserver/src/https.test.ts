import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { httpCall } from "./https.js";

let server: Server | undefined;
afterEach(async () => {
  const running = server;
  server = undefined;
  if (!running?.listening) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("httpCall", () => {
  it("answers the status, the headers (repeated ones as arrays) and the body", async () => {
    const url = await serve((req, res) => {
      res.setHeader("warning", ['299 - "a"', '299 - "b"']);
      res.writeHead(201, { "content-type": "text/plain" });
      res.end(`${req.method} ${req.url} ${req.headers["x-test"]}`);
    });
    const answer = await httpCall(`${url}/p?q=1`, { method: "POST", headers: { "x-test": "t" } });
    expect(answer.status).toBe(201);
    expect(answer.body).toBe("POST /p?q=1 t");
    expect(answer.headers.warning).toEqual(['299 - "a"', '299 - "b"']);
  });

  it("gives up after timeoutMs, naming the request but no header", async () => {
    const url = await serve(() => {});
    await expect(
      httpCall(`${url}/slow`, { timeoutMs: 200, headers: { authorization: "Bearer secret" } }),
    ).rejects.toThrow(/^GET http:\/\/127\.0\.0\.1:\d+\/slow: no complete answer within 200 ms$/);
  });

  it("refuses a body larger than maxBytes", async () => {
    const url = await serve((_req, res) => res.end("x".repeat(1000)));
    await expect(httpCall(url, { maxBytes: 100 })).rejects.toThrow(/body larger than 100 bytes/);
  });

  it("names the request when the connection fails", async () => {
    const url = await serve(() => {});
    const { port } = new URL(url);
    await new Promise((resolve) => server?.close(resolve));
    await expect(httpCall(`${url}/x`)).rejects.toThrow(
      new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/x: .*ECONNREFUSED`),
    );
  });
});
