import { Pool } from "undici";

/** One HTTP exchange, as the transport needs it: status and full body text. */
export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

export interface RawRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly signal: AbortSignal | undefined;
}

/** Sends one request; rejects only when no response came. Never follows redirects. */
export interface Sender {
  send(request: RawRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

/** TLS settings the undici pool connects with. */
export interface TlsOptions {
  /** PEM CA bundle; `undefined` uses Node's root store. */
  readonly ca: string | undefined;
  /** Name to verify the certificate against instead of the URL's host. */
  readonly servername: string | undefined;
  /** `false` only when the credentials explicitly skip verification. */
  readonly rejectUnauthorized: boolean;
}

/** Keep-alive connection pool to one API server origin (undici). */
export function poolSender(origin: string, tls: TlsOptions): Sender {
  const pool = new Pool(origin, {
    connect: {
      ca: tls.ca,
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(tls.servername ? { servername: tls.servername } : {}),
    },
    keepAliveTimeout: 30_000,
  });
  return {
    async send({ url, method, headers, body, signal }) {
      const response = await pool.request({
        path: url.pathname + url.search,
        method: method as "GET",
        headers,
        body,
        signal,
      });
      return { status: response.statusCode, body: await response.body.text() };
    },
    close: () => pool.close(),
  };
}

/** Sends through a `fetch` implementation (tests with msw, runtimes without undici). */
export function fetchSender(fetchImpl: typeof globalThis.fetch): Sender {
  return {
    async send({ url, method, headers, body, signal }) {
      const response = await fetchImpl(url, { method, headers, body, signal, redirect: "manual" });
      return { status: response.status, body: await response.text() };
    },
    close: async () => {},
  };
}
