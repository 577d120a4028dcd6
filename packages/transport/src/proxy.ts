import { isIP } from "node:net";

/** Loopback hosts are never sent through an environment proxy (as Go's `httpproxy` does). */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || (isIP(bare) === 4 && bare.startsWith("127."));
}

/** Whether `NO_PROXY` (comma-separated hosts, `.domain` or `domain` suffixes, `host:port`, `*`) exempts `url`. */
export function noProxyMatches(noProxy: string, url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((raw) => {
      const entry = raw.toLowerCase();
      if (entry === "*") return true;
      const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(entry);
      if (!match) return false;
      const [, name = "", entryPort] = match;
      if (entryPort && entryPort !== port) return false;
      const domain = name.replace(/^\*?\./, "");
      return host === domain || host.endsWith(`.${domain}`);
    });
}

/**
 * The proxy for `server`, in this order: the credentials' `proxyUrl` (a kubeconfig's `proxy-url`),
 * then `HTTPS_PROXY`/`https_proxy` (for https servers) or `HTTP_PROXY`/`http_proxy` (for http ones)
 * unless `NO_PROXY`/`no_proxy` exempts the server or it is a loopback address. `undefined`: connect directly.
 */
export function selectProxy(
  server: URL,
  explicit: string | undefined,
  env: Record<string, string | undefined>,
): string | undefined {
  if (explicit) return explicit;
  if (isLoopback(server.hostname)) return undefined;
  const fromEnv =
    server.protocol === "https:"
      ? (env.HTTPS_PROXY ?? env.https_proxy)
      : (env.HTTP_PROXY ?? env.http_proxy);
  if (!fromEnv) return undefined;
  const noProxy = env.NO_PROXY ?? env.no_proxy ?? "";
  return noProxyMatches(noProxy, server) ? undefined : fromEnv;
}
