import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { ApiServer } from "./apiServer.js";
import { type Certificates, generateCertificates } from "./certificates.js";

export interface ListenOptions {
  /** Loopback address to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  /** TLS material; default a CA and serving certificate generated now. */
  certificates?: Certificates;
}

/** A running HTTPS listener. */
export interface Listener {
  /** `https://127.0.0.1:<port>` (IPv6 hosts bracketed). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The CA that signed the serving certificate: what clients must trust. */
  readonly ca: string;
  /** Stops accepting and ends open connections (watches included). */
  close(): Promise<void>;
}

async function readBody(request: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Serves `apiServer` over HTTPS on loopback, with a serving certificate for the cluster's names. */
export async function listen(apiServer: ApiServer, options: ListenOptions = {}): Promise<Listener> {
  const host = options.host ?? "127.0.0.1";
  const certificates = options.certificates ?? (await generateCertificates());
  const authority = (port: number) =>
    host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  const server: Server = createServer(
    { cert: certificates.cert, key: certificates.key },
    async (req, res) => {
      try {
        const body =
          req.method === "GET" || req.method === "HEAD" ? undefined : await readBody(req);
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (typeof value === "string") headers.set(name, value);
          else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
        }
        const url = `https://${req.headers.host ?? authority((server.address() as AddressInfo).port)}${req.url ?? "/"}`;
        const response = await apiServer.handle(
          new Request(url, { method: req.method, headers, body }),
        );
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch (error) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`mock server failure: ${(error as Error).message}`);
      }
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${authority(port)}`,
    host,
    port,
    ca: certificates.ca,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
