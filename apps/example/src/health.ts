import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readiness } from "./app.js";

/** `GET /healthz` (the process answers: liveness) and `GET /readyz` (200 when ready, else 503 and why). */
export async function serveHealth(
  port: number,
  readiness: Readiness,
): Promise<Server & { port: number }> {
  const server = createServer((request, response) => {
    const path = request.url?.split("?")[0];
    const answer = (code: number, body: string) => {
      response.writeHead(code, { "Content-Type": "text/plain; charset=utf-8" }).end(`${body}\n`);
    };
    if (request.method !== "GET" && request.method !== "HEAD") answer(405, "method not allowed");
    else if (path === "/healthz") answer(200, "ok");
    else if (path === "/readyz")
      answer(readiness.ready ? 200 : 503, readiness.ready ? "ok" : readiness.reason);
    else answer(404, "not found");
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(`cannot serve health endpoints on port ${port}: ${error.code ?? error.message}`),
      ),
    );
    server.listen(port, resolve);
  });
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}
