// Opening a WebSocket to the API server: the upgrade request with the transport's credentials and
// connection (so the cluster CA, client certificate, proxy and bearer token apply as to every other
// request), the handshake checks of RFC 6455 §4.1, and the answers that refuse it as typed errors.
import { randomBytes } from "node:crypto";
import { classifyFailure, isCertificateFailure, type Peer } from "./classify.js";
import {
  KubeApiError,
  RequestAbortedError,
  type RequestInfo,
  RequestTimeoutError,
  StreamError,
  TransportError,
} from "./errors.js";
import type { TransportHooks } from "./hooks.js";
import { statusFromResponse } from "./status.js";
import type { UpgradeRequest, UpgradeResult } from "./upgrade.js";
import { acceptFor, WebSocketConnection, type WebSocketLimits } from "./webSocket.js";

/** Options of `Transport.webSocket()`. */
export interface WebSocketOptions {
  /** Path below the server URL, checked as every path is. */
  path: string;
  query?: Record<string, string | number | boolean | undefined | readonly string[]>;
  /** Subprotocols offered, most preferred first (`Sec-WebSocket-Protocol`); the server must choose one. */
  protocols: readonly string[];
  /**
   * Aborts the handshake; once open, closes the connection (close frame, then the socket) and fails
   * its reader with `RequestAbortedError`.
   */
  signal?: AbortSignal;
  /** Timeout of the handshake in milliseconds (the open connection has none). Default: the transport's `timeoutMs`. */
  timeoutMs?: number;
  /** Largest message accepted. Default 16 MiB. */
  maxMessageBytes?: number;
  /** Ping interval in ms (0: none); 12 intervals + 1 s without a frame drops the connection. Default 5 000 (client-go's). */
  pingIntervalMs?: number;
}

/** What the transport lends to open a WebSocket. */
export interface WebSocketContext {
  /** The server (`host:port`, its timeouts) for error messages. */
  readonly peer: Peer;
  readonly userAgent: string;
  readonly defaultTimeoutMs: number | undefined;
  readonly hooks: Required<TransportHooks>;
  /**
   * The request as errors name it (checked path and query) and its target on the wire (the server
   * URL's path prefix, the path and the query).
   */
  describe(options: WebSocketOptions): { readonly info: RequestInfo; readonly target: string };
  /**
   * The current connection pool: its upgrade (`undefined` when the transport sends with `fetch`), and
   * the CA reload after a certificate failure on it (true when a new pool trusting a changed CA took over).
   */
  connection(): {
    upgrade: ((request: UpgradeRequest) => Promise<UpgradeResult>) | undefined;
    reloadCa(): Promise<boolean>;
  };
  /** The `Authorization` value, if any. */
  authorization(): Promise<string | undefined>;
  /** Tells the credentials to refresh after a 401; false when they cannot. */
  invalidate(): boolean;
}

const DEFAULT_LIMITS: WebSocketLimits = {
  maxMessageBytes: 16 * 1024 * 1024,
  pingIntervalMs: 5_000,
  closeTimeoutMs: 2_000,
};

const headerValue = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join(", ") : (value ?? "");

/** Opens a WebSocket; see {@link WebSocketOptions}. */
export async function openWebSocket(
  context: WebSocketContext,
  options: WebSocketOptions,
): Promise<WebSocketConnection> {
  const { info, target } = context.describe(options);
  if (options.protocols.length === 0) throw new TypeError("at least one subprotocol is required");
  for (const protocol of options.protocols) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(protocol))
      throw new TypeError(`${JSON.stringify(protocol)} is not a valid subprotocol name`);
  }
  if (!context.connection().upgrade) {
    throw new TransportError(
      info,
      `${info.method} ${info.path} → WebSocket needs kin's own connection pool: not available with the \`fetch\` option`,
    );
  }
  const timeoutMs = options.timeoutMs ?? context.defaultTimeoutMs;
  const controller = new AbortController();
  let timedOut = false;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort(new Error(`timed out after ${timeoutMs} ms`));
        }, timeoutMs);
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const started = performance.now();
  const fail = (error: Error): never => {
    context.hooks.onError({
      method: info.method,
      path: info.path,
      attempt: 0,
      error,
      durationMs: performance.now() - started,
    });
    throw error;
  };
  let refreshed = false;
  let reloaded = false;
  try {
    for (;;) {
      const key = randomBytes(16).toString("base64");
      const headers: Record<string, string> = {
        "user-agent": context.userAgent,
        "sec-websocket-key": key,
        "sec-websocket-version": "13",
        "sec-websocket-protocol": options.protocols.join(", "),
      };
      const authorization = await context.authorization();
      if (authorization !== undefined) headers.authorization = authorization;
      // Read each time: after a CA reload a new pool has taken over.
      const connection = context.connection();
      const upgrade = connection.upgrade;
      let result: UpgradeResult;
      try {
        if (!upgrade) throw new Error("no connection pool");
        result = await upgrade({
          target,
          headers,
          protocol: "websocket",
          signal: controller.signal,
        });
      } catch (error) {
        if (controller.signal.aborted) {
          return fail(
            timedOut
              ? new RequestTimeoutError(
                  info,
                  `${info.method} ${info.path} → no answer from ${context.peer.hostPort} within ${timeoutMs} ms`,
                  { cause: error },
                )
              : new RequestAbortedError(
                  info,
                  `${info.method} ${info.path} → aborted by the caller`,
                  {
                    cause: options.signal?.reason ?? error,
                  },
                ),
          );
        }
        if (!reloaded && isCertificateFailure(error)) {
          reloaded = true;
          if (await connection.reloadCa()) continue;
        }
        return fail(classifyFailure(info, context.peer, error));
      }
      context.hooks.onResponse({
        method: info.method,
        path: info.path,
        attempt: 0,
        status: result.status,
        durationMs: performance.now() - started,
        retries: 0,
      });
      if (!result.upgraded) {
        if (result.status === 401 && !refreshed && context.invalidate()) {
          refreshed = true;
          continue;
        }
        const status = statusFromResponse(result.status, result.body);
        const kept =
          status.message === result.body.trim().slice(0, 200) && result.body !== ""
            ? result.body.slice(0, 1024)
            : undefined;
        return fail(new KubeApiError(info, status, kept));
      }
      const { socket } = result;
      const refuse = (why: string): never => {
        socket.destroy();
        return fail(
          new StreamError(info, `${info.method} ${info.path} → WebSocket handshake: ${why}`),
        );
      };
      if (result.status !== 101) refuse(`the server answered ${result.status}, not 101`);
      if (headerValue(result.headers.upgrade).toLowerCase() !== "websocket")
        refuse("the server did not switch to websocket");
      if (headerValue(result.headers["sec-websocket-accept"]) !== acceptFor(key))
        refuse("Sec-WebSocket-Accept does not match the key sent");
      if (result.headers["sec-websocket-extensions"] !== undefined)
        refuse("the server chose extensions that were not offered");
      const protocol = headerValue(result.headers["sec-websocket-protocol"]);
      if (!options.protocols.includes(protocol))
        refuse(
          protocol === ""
            ? `the server chose no subprotocol (offered: ${options.protocols.join(", ")})`
            : `the server chose ${JSON.stringify(protocol)}, which was not offered`,
        );
      const webSocket = new WebSocketConnection(socket, protocol, info, context.peer, {
        maxMessageBytes: options.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes,
        pingIntervalMs: options.pingIntervalMs ?? DEFAULT_LIMITS.pingIntervalMs,
        closeTimeoutMs: DEFAULT_LIMITS.closeTimeoutMs,
      });
      const signal = options.signal;
      if (signal) {
        const abortOpen = () =>
          webSocket.abort(
            new RequestAbortedError(info, `${info.method} ${info.path} → aborted by the caller`, {
              cause: signal.reason,
            }),
          );
        signal.addEventListener("abort", abortOpen, { once: true });
        void webSocket.closed.then(() => signal.removeEventListener("abort", abortOpen));
      }
      return webSocket;
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}
