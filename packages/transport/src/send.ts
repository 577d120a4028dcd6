import { Readable } from "node:stream";
import { type Dispatcher, Pool, ProxyAgent } from "undici";
import { dispatchUpgrade, type UpgradeRequest, type UpgradeResult } from "./upgrade.js";

/** One HTTP exchange as the transport needs it. */
export interface RawRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly signal: AbortSignal | undefined;
  /** A watch or log stream: no read timeout on the body. */
  readonly stream: boolean;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The whole body as text. */
  text(): Promise<string>;
  /** The body as a Node stream, read as the consumer pulls. */
  readable(): Readable;
  /** Reads and drops the body so the connection can be reused. */
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
    async send({ url, method, headers, body, signal, stream }) {
      const response = await dispatcher.request({
        origin,
        path: url.pathname + url.search,
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        signal,
        ...(stream ? { bodyTimeout: 0 } : {}),
      });
      return {
        status: response.statusCode,
        headers: response.headers,
        text: () => response.body.text(),
        readable: () => response.body,
        discard: () => response.body.dump(),
      };
    },
    upgrade: (request) => dispatchUpgrade(dispatcher, origin, request),
    close: () => dispatcher.close(),
  };
}

/** Sends through a `fetch` implementation (tests with msw, runtimes without undici). */
export function fetchSender(fetchImpl: typeof globalThis.fetch): Sender {
  return {
    async send({ url, method, headers, body, signal }) {
      const response = await fetchImpl(url, { method, headers, body, signal, redirect: "manual" });
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        text: () => response.text(),
        readable: () =>
          response.body ? Readable.fromWeb(response.body as never) : Readable.from([]),
        discard: async () => {
          await response.arrayBuffer();
        },
      };
    },
    close: async () => {},
  };
}
