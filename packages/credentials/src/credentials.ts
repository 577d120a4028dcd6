import type { TokenProvider } from "./tokenFile.js";

/** How to reach and trust the API server and who to say we are: what `@kin/transport` consumes. */
export interface Credentials {
  /** Base URL of the API server, e.g. `https://10.96.0.1:443` or `https://[fd00::1]:443`. */
  readonly server: string;
  /** PEM CA bundle the server's certificate must chain to; `undefined` means the system roots. */
  readonly ca?: string;
  /** Bearer token source; `undefined` for no authentication (e.g. a kubectl proxy). */
  readonly auth?: TokenProvider;
  /** The namespace to use when none is given. */
  readonly namespace: string;
  /** Where these credentials came from, for messages and logs. */
  readonly origin: CredentialsOrigin;
}

/** Where credentials came from: a pod's service-account folder, or values the program gave. */
export type CredentialsOrigin =
  | { readonly kind: "in-cluster"; readonly dir: string }
  | { readonly kind: "static" };
