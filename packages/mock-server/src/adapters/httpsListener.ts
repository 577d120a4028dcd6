import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Server } from "node:net";
import { type Certificates, generateCertificates } from "../harness/certificates.js";
import type { ApiServer } from "../server/apiServer.js";

export interface ListenOptions {
  /** Loopback address to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  /** TLS material; default a CA and serving certificate generated now. */
  certificates?: Certificates;
}

/** A running listener. */
export interface Listener {
  /** `https://127.0.0.1:<port>` (`http://` for a proxy; IPv6 hosts bracketed). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The CA that signed the serving certificate: what clients must trust (absent for a plain-http proxy). */
  readonly ca?: string;
  /** Stops accepting and ends open connections (watches included). */
  close(): Promise<void>;
}

/** A listener with TLS: `ca` is always there. */
export interface HttpsListener extends Listener {
  readonly ca: string;
}

export interface ProxyOptions {
  /** The token the simulated `kubectl proxy` authenticates to the API server with. */
  token: string;
  /** Loopback address to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
}

async function readBody(request: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const authority = (host: string, port: number) =>
  host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;

/** Node request → fetch `Request` → the core → Node response. `token`, when given, replaces the caller's auth. */
function adapter(apiServer: ApiServer, scheme: "http" | "https", token?: string) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readBody(req);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
        else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      }
      if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
      const local = req.socket.address() as AddressInfo;
      const url = `${scheme}://${req.headers.host ?? authority(local.address, local.port)}${req.url ?? "/"}`;
      // Aborted when the client goes away (or the listener closes): ends stalls and delays of faults.
      const gone = new AbortController();
      res.once("close", () => gone.abort());
      const response = await apiServer.handle(
        new Request(url, { method: req.method, headers, body, signal: gone.signal }),
      );
      if (response.type === "error") {
        // A network error (a fault cutting the connection before any answer): no status line at all.
        res.destroy();
        return;
      }
      const outHeaders: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => {
        const prev = outHeaders[name];
        outHeaders[name] = prev === undefined ? value : [...[prev].flat(), value];
      });
      res.writeHead(response.status, outHeaders);
      if (!response.body) {
        res.end();
        return;
      }
      // Stream the body (watches never end on their own); a client that goes away cancels it,
      // which frees the watcher.
      const reader = response.body.getReader();
      const cancel = () => void reader.cancel().catch(() => {});
      res.on("close", cancel);
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (!res.write(value)) await new Promise((resolve) => res.once("drain", resolve));
          if (res.destroyed) break;
        }
      } finally {
        res.off("close", cancel);
        if (res.destroyed) cancel();
      }
      res.end();
    } catch (error) {
      if (res.headersSent) {
        // The body failed mid-way (a fault's cut, or the core's error): cut the connection once the
        // bytes already written are out, so the client sees an answer that stops, not a clean end.
        const socket = res.socket;
        if (socket && !socket.destroyed) socket.write("", () => res.destroy());
        else res.destroy();
        return;
      }
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(`mock server failure: ${(error as Error).message}`);
    }
  };
}

async function start(server: Server, host: string, port: number | undefined, scheme: string) {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port ?? 0, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `${scheme}://${authority(host, bound)}`,
    host,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        (server as Server & { closeAllConnections(): void }).closeAllConnections();
      }),
  };
}

/** Serves `apiServer` over HTTPS on loopback, with a serving certificate for the cluster's names. */
export async function listen(
  apiServer: ApiServer,
  options: ListenOptions = {},
): Promise<HttpsListener> {
  const host = options.host ?? "127.0.0.1";
  const certificates = options.certificates ?? (await generateCertificates());
  const server = createHttpsServer(
    { cert: certificates.cert, key: certificates.key },
    adapter(apiServer, "https"),
  );
  return { ...(await start(server, host, options.port, "https")), ca: certificates.ca };
}

/**
 * A simulated `kubectl proxy` sidecar: plain http on loopback, no authentication asked of callers,
 * every request forwarded to `apiServer` as the holder of `token` (as kubectl proxy uses its own
 * credentials upstream).
 */
export async function listenProxy(apiServer: ApiServer, options: ProxyOptions): Promise<Listener> {
  const server = createHttpServer(adapter(apiServer, "http", options.token));
  return start(server, options.host ?? "127.0.0.1", options.port, "http");
}
