import { type Client, createClient } from "@kin/client";
import {
  type ApiServer,
  createApiServer,
  credentialsFor,
  generateCertificates,
  type HttpsListener,
  listen,
} from "@kin/mock-server";

/**
 * One API server for a test file: the mock server's HTTPS listener (its `api` gives the mock-only
 * controls: faults, compaction, tokens). A real kube-apiserver fixture can implement the same shape
 * with `api` undefined; tests that need `api` skip then.
 */
export interface Fixture {
  api: ApiServer;
  readonly listener: HttpsListener;
  /** Closes the listener (every connection, open watches included) and listens again on the same port. */
  restart(pauseMs?: number): Promise<void>;
  /** A client with client-go's default rate limit, as an app would have. */
  client(options?: { rateLimit?: false }): Promise<Client>;
  close(): Promise<void>;
}

export async function startFixture(
  options: Parameters<typeof createApiServer>[0] = {},
): Promise<Fixture> {
  const api = createApiServer(options);
  const certificates = await generateCertificates();
  let listener = await listen(api, { certificates });
  const token = api.issueToken();
  const clients: Client[] = [];
  return {
    api,
    get listener() {
      return listener;
    },
    async restart(pauseMs = 200) {
      const { port } = listener;
      await listener.close();
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      listener = await listen(api, { certificates, port });
    },
    async client(clientOptions = {}) {
      const client = await createClient({
        credentials: credentialsFor(listener, token),
        retry: { backoffBaseMs: 50, backoffMaxMs: 500 },
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      api.close();
      await listener.close();
    },
  };
}

/** Waits until `condition()` holds, checking every 10 ms; throws with `what` after `timeoutMs`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Short backoffs for tests (the defaults stay client-go's). */
export const FAST = {
  backoff: { initialMs: 20, maxMs: 200 },
} as const;
