import { type Credentials, staticTokenProvider } from "@kin/credentials";

/**
 * Credentials that reach a mock server with `token`: `server` is a {@link Listener} (its URL and CA)
 * or `{ url }` for msw handlers. For tests that build a transport or client directly.
 */
export function credentialsFor(
  server: { readonly url: string; readonly ca?: string },
  token: string,
  namespace = "default",
): Credentials {
  return {
    server: server.url,
    ca: server.ca,
    auth: staticTokenProvider(token),
    namespace,
    origin: { kind: "static" },
  };
}
