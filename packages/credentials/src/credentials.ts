import type { AuthProvider } from "./auth.js";
import type { Redacted } from "./redact.js";

/**
 * How to reach and trust the API server and who to say we are: what `@kin/transport` consumes.
 * A plain object; secrets inside it (token, client key, password) are hidden from `JSON.stringify`
 * and `util.inspect`.
 */
export interface Credentials {
  /** Base URL of the API server, e.g. `https://10.96.0.1:443`, `https://[fd00::1]:443` or `http://127.0.0.1:8001`. */
  readonly server: string;
  /** PEM CA bundle the server's certificate must chain to; `undefined` means Node's root store. */
  readonly ca?: string;
  /**
   * Reads the CA bundle again, when it came from a file (`ca.crt`, a kubeconfig's
   * `certificate-authority`). The transport calls it when TLS verification fails, and uses the new
   * bundle for new connections if it changed.
   */
  readonly reloadCa?: () => Promise<string>;
  /** PEM client certificate (chain) for mutual TLS. */
  readonly clientCert?: string;
  /** PEM private key of {@link clientCert}. */
  readonly clientKey?: Redacted;
  /** The name to verify the server's certificate against instead of the URL's host (kubeconfig `tls-server-name`). */
  readonly tlsServerName?: string;
  /**
   * Skip verifying the server's certificate. Only ever `true` when a kubeconfig explicitly says
   * `insecure-skip-tls-verify: true`; nothing in kin turns it on by itself.
   */
  readonly insecureSkipTlsVerify?: boolean;
  /** Proxy to reach the server through (kubeconfig `proxy-url`). */
  readonly proxyUrl?: string;
  /** Produces the `Authorization` header; `undefined` for none (e.g. a kubectl proxy). */
  readonly auth?: AuthProvider;
  /** The namespace to use when none is given. */
  readonly namespace: string;
  /** Where these credentials came from, for messages and logs. */
  readonly origin: CredentialsOrigin;
}

/** Where credentials came from. */
export type CredentialsOrigin =
  /** A pod's service-account folder. */
  | { readonly kind: "in-cluster"; readonly dir: string }
  /** A kubeconfig: the files read (in merge order) and the context used. */
  | { readonly kind: "kubeconfig"; readonly files: readonly string[]; readonly context: string }
  /** A kubectl proxy on a plain-http URL. */
  | { readonly kind: "proxy" }
  /** Values the program gave. */
  | { readonly kind: "static" };
