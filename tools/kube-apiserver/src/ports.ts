import { createServer } from "node:net";

/**
 * A TCP port that is free right now on every loopback address: bound on `::` (IPv4 and IPv6 at once) with
 * port 0, then released. Another process may take it before the caller binds it; callers retry then.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port: 0, host: "::", ipv6Only: false }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port was assigned"))));
    });
  });
}
