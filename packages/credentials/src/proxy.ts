import type { Credentials } from "./credentials.js";
import { CredentialsError } from "./errors.js";

/** Where `kubectl proxy` listens by default. */
export const DEFAULT_PROXY_URL = "http://127.0.0.1:8001";

/** Options of {@link loadProxy}. */
export interface ProxyOptions {
  /** The proxy's URL. Default `http://127.0.0.1:8001`. */
  url?: string;
  /** The namespace to use when none is given. Default `default`. */
  namespace?: string;
}

/**
 * Credentials for a `kubectl proxy` (the "proxy sidecar" way of the Kubernetes docs): plain http to
 * the proxy, which authenticates to the API server itself, so kin sends no `Authorization`.
 * @throws {CredentialsError} when `url` is not an http(s) URL.
 */
export function loadProxy(options: ProxyOptions = {}): Credentials {
  const url = options.url ?? DEFAULT_PROXY_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new CredentialsError(
      "InvalidConfig",
      "url",
      `kubectl proxy URL is not a URL: ${JSON.stringify(url)}`,
      { cause: error },
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new CredentialsError(
      "InvalidConfig",
      "url",
      `kubectl proxy URL must be http or https: ${JSON.stringify(url)}`,
    );
  }
  return {
    server: url.replace(/\/+$/, ""),
    namespace: options.namespace ?? "default",
    origin: { kind: "proxy" },
  };
}
