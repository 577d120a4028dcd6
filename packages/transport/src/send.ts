import { Readable } from "node:stream";
import { type Dispatcher, Pool, ProxyAgent } from "undici";
import { dispatchUpgrade, type UpgradeRequest, type UpgradeResult } from "./upgrade.js";

/** One HTTP exchange as the transport needs it. */
export interface RawRequest {
  /** Path and query, sent as they are (checked by `requestTarget`; never normalised on the way). */
  readonly target: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly signal: AbortSignal | undefined;
  /** The longest wait for the complete response headers, in ms; 0 for none (undici only). */
  readonly headersTimeoutMs: number;
  /** The longest wait between two pieces of the body, in ms; 0 for none (undici only). */
  readonly bodyTimeoutMs: number;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body as a Node stream, read as the consumer pulls. */
  readable(): Readable;
  /** Drops the body: reads a little of it so the connection can be reused, else closes it. */
  discard(): Promise<void>;
}

/** Sends one request; rejects only when no response came. Never follows redirects. */
export interface Sender {
  send(request: RawRequest): Promise<RawResponse>;
  /** Sends an upgrade request (WebSocket); absent when the sender cannot hand over a socket (`fetch`). */
  upgrade?(request: UpgradeRequest): Promise<UpgradeResult>;
  close(): Promise<void>;
}

/** TLS settings for connections to the API server. */
export interface TlsOptions {
  /** PEM CA bundle; `undefined` uses Node's root store. */
  readonly ca: string | undefined;
  /** PEM client certificate and key for mutual TLS. */
  readonly cert: string | undefined;
  readonly key: string | undefined;
  /** Name to verify the certificate against instead of the URL's host. */
  readonly servername: string | undefined;
  /** `false` only when the credentials explicitly skip verification. */
  readonly rejectUnauthorized: boolean;
}

const KEEP_ALIVE_MS = 30_000;

/**
 * Keep-alive connections to one API server origin (undici): a `Pool`, or through `proxyUrl` a
 * `ProxyAgent` that tunnels (HTTP CONNECT) and then speaks TLS to the server with the same settings.
 */
export function undiciSender(
  origin: string,
  tls: TlsOptions,
  proxyUrl: string | undefined,
): Sender {
  const connect = {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.servername ? { servername: tls.servername } : {}),
  };
  const dispatcher: Dispatcher = proxyUrl
    ? new ProxyAgent({ uri: proxyUrl, requestTls: connect, keepAliveTimeout: KEEP_ALIVE_MS })
    : new Pool(origin, { connect, keepAliveTimeout: KEEP_ALIVE_MS });
  return {
    async send({ target, method, headers, body, signal, headersTimeoutMs, bodyTimeoutMs }) {
      const response = await dispatcher.request({
        origin,
        path: target,
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        signal,
        headersTimeout: headersTimeoutMs,
        bodyTimeout: bodyTimeoutMs,
      });
      return {
        status: response.statusCode,
        headers: response.headers,
        readable: () => response.body,
        discard: () => response.body.dump(),
      };
    },
    upgrade: (request) => dispatchUpgrade(dispatcher, origin, request),
    close: () => dispatcher.close(),
  };
}

/** Sends through a `fetch` implementation (tests with msw, runtimes without undici). */
export function fetchSender(origin: string, fetchImpl: typeof globalThis.fetch): Sender {
  return {
    async send({ target, method, headers, body, signal }) {
      // `origin + target`, never `new URL(target, origin)`: a target starting with `//` is a path.
      const url = new URL(`${origin}${target}`);
      if (url.pathname + url.search !== target) {
        throw new TypeError(`request target ${JSON.stringify(target)} is not in normal form`);
      }
      const response = await fetchImpl(url, { method, headers, body, signal, redirect: "manual" });
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        readable: () =>
          response.body ? Readable.fromWeb(response.body as never) : Readable.from([]),
        discard: async () => {
          // Not awaited: a body whose source waits for a reader may never settle its cancel.
          response.body?.cancel().catch(() => {});
        },
      };
    },
    close: async () => {},
  };
}
