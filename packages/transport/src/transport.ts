import { constants } from "node:buffer";
import type { Readable } from "node:stream";
import type { Credentials } from "@kin/credentials";
import type { WatchEvent } from "@kin/resources";
import { abandon, declaredLength, readAtMost, utf8 } from "./body.js";
import { classifyFailure, type Peer } from "./classify.js";
import { createDeadline, type Deadline } from "./deadline.js";
import { KubeApiError, type RequestInfo, ResponseTooLargeError, TransportError } from "./errors.js";
import { combineHooks, debugHooks, type TransportHooks } from "./hooks.js";
import { afterStep, type Clock, FIRST_TRY, nextStep, type Situation } from "./nextStep.js";
import { openWebSocket, type WebSocketContext, type WebSocketOptions } from "./openWebSocket.js";
import { pathPrefix, requestTarget } from "./path.js";
import { selectProxy } from "./proxy.js";
import { DEFAULT_RATE_LIMIT, type RateLimit, sleep, TokenBucket } from "./rateLimiter.js";
import { DEFAULT_RETRY, NO_RETRY, type ResolvedRetry, type RetryOptions } from "./retry.js";
import { fetchSender, type RawResponse, type Sender, undiciSender } from "./send.js";
import { statusFromResponse } from "./status.js";
import { DEFAULT_MAX_WATCH_EVENT_BYTES, WatchLineDecoder } from "./watchDecoder.js";
import type { WebSocketConnection } from "./webSocket.js";

const { MAX_STRING_LENGTH } = constants;

/** A call as errors name it, and the request target (path and query) sent for it. */
interface Described {
  readonly info: RequestInfo;
  readonly target: string;
}

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /**
   * Send requests with this `fetch` instead of kin's undici connection pool. The credentials' TLS
   * settings and proxy are then not applied (the fetch implementation decides). Meant for tests with
   * msw and for runtimes without undici. Default: undici, with the credentials' TLS settings.
   */
  fetch?: typeof globalThis.fetch;
  /** The `User-Agent` header. Default `kin (node <version>)`. */
  userAgent?: string;
  /**
   * Client-side rate limit (token bucket), or `false` for none. Default `{ qps: 5, burst: 10 }`,
   * client-go's defaults; raise it for controllers that must list many things at start.
   */
  rateLimit?: RateLimit | false;
  /** Retry policy, or `false` for none. Defaults: see {@link RetryOptions}. */
  retry?: RetryOptions | false;
  /** Default timeout of each call in milliseconds (retries included; for streams, until the answer starts). Default: none. */
  timeoutMs?: number;
  /**
   * For calls without `timeoutMs`: the longest wait, in milliseconds, from sending a request to
   * having its complete response headers (a server that trickles them in counts as silent), for
   * every call, streams included. Default 90 000: kube-apiserver answers a request it could not
   * finish in its own 60 s (`--request-timeout`) with a 504, so a healthy server is always quicker.
   * Not applied with `fetch` (the fetch implementation decides).
   */
  headersTimeoutMs?: number;
  /**
   * For calls without `timeoutMs`: the longest pause, in milliseconds, between two pieces of a
   * response body (watches and log streams excepted: they may be quiet for hours). Default 60 000.
   * Not applied with `fetch`.
   */
  bodyTimeoutMs?: number;
  /**
   * The largest response body `request()` reads, in bytes; a larger one fails with a
   * `ResponseTooLargeError` without being read further (a `Content-Length` over it: without being
   * read at all). Default 256 MiB; at most 2^29 − 24, the longest string Node can make of it.
   * Lists that may be larger should be read in pages (`limit` and `continue`).
   */
  maxResponseBytes?: number;
  /** The largest watch event, in bytes (one line of the stream); a larger one is a `StreamError`. Default 16 MiB (client-go's limit). */
  maxWatchEventBytes?: number;
  /** Observers of requests, retries and errors. */
  hooks?: TransportHooks;
  /**
   * Environment for `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` and `KIN_DEBUG`. Default `process.env`.
   * A kubeconfig's `proxy-url` (the credentials' `proxyUrl`) wins over the environment.
   */
  env?: Record<string, string | undefined>;
}

/** A query parameter value; `undefined` leaves the parameter out, an array repeats it (`command=a&command=b`). */
export type QueryValue = string | number | boolean | undefined | readonly string[];

/** What every call takes. */
export interface CallOptions {
  /** Path below the server URL, starting with `/`, e.g. `/api/v1/namespaces/default/pods`. Checked by {@link assertSafePath}. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Aborts the call (while waiting for the rate limiter or a retry too) and releases its connection. */
  signal?: AbortSignal;
  /** Timeout of this call in milliseconds, overriding the transport's. */
  timeoutMs?: number;
}

/** One API request. */
export interface RequestOptions extends CallOptions {
  /** HTTP method. Default `GET`. */
  method?: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Sent as JSON. */
  body?: unknown;
  /**
   * A body already serialised, sent as it is (e.g. a `PatchBody`'s `body` from `@kin/resources`),
   * instead of `body`. Give `contentType` with it.
   */
  serializedBody?: string;
  /** `Content-Type` of the body. Default `application/json`. */
  contentType?: string;
  /** `Accept`. Default `application/json`. */
  accept?: string;
  /**
   * Whether the request may be sent twice with the same effect. GET and HEAD are; mark others
   * (e.g. a PUT with a resourceVersion precondition) to let them retry resets, 503 and 504.
   */
  idempotent?: boolean;
}

/** Requests to one API server with one set of credentials. */
export interface Transport {
  /** The server's base URL. */
  readonly server: string;
  /**
   * Sends a request and parses the JSON answer (`undefined` for an empty body).
   * @throws {KubeApiError} when the server answers with a non-2xx status (carrying its Status).
   * @throws {ConnectionError} (a subclass) when no answer came.
   */
  request<T>(options: RequestOptions): Promise<T>;
  /** Opens a watch (`?watch=true` is added) and yields its events; see `decodeWatch`. Ends cleanly when the server closes or `signal` aborts. */
  watch<T>(options: CallOptions): AsyncGenerator<WatchEvent<T>>;
  /** Opens a plain streaming body (pod logs): no read timeout, ends when the server closes or `signal` aborts. */
  stream(options: CallOptions): Promise<Readable>;
  /**
   * Opens a WebSocket (an HTTP/1.1 upgrade) with the same connection, TLS, proxy and credentials as
   * every request: exec, attach and port-forward. A refused upgrade throws `KubeApiError` with the
   * server's Status; see `WebSocketOptions`. Not available with the `fetch` option.
   */
  webSocket(options: WebSocketOptions): Promise<WebSocketConnection>;
  /** Closes idle connections; in-flight requests finish first. */
  close(): Promise<void>;
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else if (value !== undefined) params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** How much of an error answer's body is kept in `KubeApiError.body`. */
const MAX_ERROR_BODY = 1024;
/** How much of an error answer's body is read: a Status, even with many causes, is far smaller. */
const MAX_ERROR_BODY_READ = 1024 * 1024;

export const DEFAULT_HEADERS_TIMEOUT_MS = 90_000;
export const DEFAULT_BODY_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** `value` when it is an integer in [min, max], else a RangeError naming the option. */
function limitOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value >= min && value <= max)) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** The body of a call as sent: `serializedBody` as it is, or `body` as JSON. */
function serialize(call: RequestOptions): string | undefined {
  if (call.serializedBody !== undefined) {
    if (call.body !== undefined) {
      throw new TypeError("a request takes body or serializedBody, not both");
    }
    return call.serializedBody;
  }
  return call.body === undefined ? undefined : JSON.stringify(call.body);
}

/**
 * A transport for `credentials`: an undici pool with TLS that trusts the credentials' CA (verified
 * unless they explicitly say `insecureSkipTlsVerify`), their `Authorization` on every request (on a
 * 401 the auth provider is told to refresh and the request is sent once more), a client-side rate
 * limit, retries (`Retry-After`, and backoff for idempotent requests), timeouts, proxies, hooks, and
 * typed errors that name the request. When TLS verification fails and the credentials can re-read
 * their CA file, the CA is re-read and, if it changed, a new pool that trusts it takes over.
 */
export function createTransport(
  credentials: Credentials,
  options: TransportOptions = {},
): Transport {
  const base = new URL(credentials.server);
  const prefix = pathPrefix(base);
  const peer: Peer = {
    hostPort: `${base.hostname}:${base.port || (base.protocol === "https:" ? "443" : "80")}`,
    headersTimeoutMs: limitOption(
      "headersTimeoutMs",
      options.headersTimeoutMs,
      DEFAULT_HEADERS_TIMEOUT_MS,
      1,
      2 ** 31 - 1,
    ),
    bodyTimeoutMs: limitOption(
      "bodyTimeoutMs",
      options.bodyTimeoutMs,
      DEFAULT_BODY_TIMEOUT_MS,
      1,
      2 ** 31 - 1,
    ),
  };
  const { hostPort } = peer;
  const maxResponseBytes = limitOption(
    "maxResponseBytes",
    options.maxResponseBytes,
    DEFAULT_MAX_RESPONSE_BYTES,
    1,
    MAX_STRING_LENGTH,
  );
  const maxWatchEventBytes = limitOption(
    "maxWatchEventBytes",
    options.maxWatchEventBytes,
    DEFAULT_MAX_WATCH_EVENT_BYTES,
    1,
    MAX_STRING_LENGTH,
  );
  const env = options.env ?? process.env;
  const userAgent = options.userAgent ?? `kin (node ${process.version})`;
  const auth = credentials.auth;
  const limiter =
    options.rateLimit === false
      ? undefined
      : new TokenBucket(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const policy: ResolvedRetry =
    options.retry === false ? NO_RETRY : { ...DEFAULT_RETRY, ...options.retry };
  const debug =
    env.KIN_DEBUG && env.KIN_DEBUG !== "0"
      ? [debugHooks((line) => process.stderr.write(`${line}\n`))]
      : [];
  const hooks = combineHooks([...(options.hooks ? [options.hooks] : []), ...debug]);
  const observed = options.hooks !== undefined || debug.length > 0;
  const proxyUrl = selectProxy(base, credentials.proxyUrl, env);
  const connect = (ca: string | undefined): Sender =>
    options.fetch
      ? fetchSender(base.origin, options.fetch)
      : undiciSender(
          base.origin,
          {
            ca,
            cert: credentials.clientCert,
            key: credentials.clientKey?.reveal(),
            servername: credentials.tlsServerName,
            rejectUnauthorized: credentials.insecureSkipTlsVerify !== true,
          },
          proxyUrl,
        );
  let ca = credentials.ca;
  let sender = connect(ca);
  let caReload: Promise<boolean> | undefined;

  /**
   * Re-reads the CA after a certificate failure on `failed`; true when it changed and a new pool now
   * trusts it, or when a new pool already took over from `failed` (a concurrent call re-read it
   * first). Shared by concurrent callers.
   */
  function reloadCa(failed: Sender): Promise<boolean> {
    const reload = credentials.reloadCa;
    if (!reload || options.fetch) return Promise.resolve(false);
    if (sender !== failed) return Promise.resolve(true);
    caReload ??= reload()
      .then(
        (fresh) => {
          if (fresh === ca) return false;
          const old = sender;
          ca = fresh;
          sender = connect(ca);
          void old.close();
          return true;
        },
        () => false,
      )
      .finally(() => {
        caReload = undefined;
      });
    return caReload;
  }

  const canReloadCa = credentials.reloadCa !== undefined && !options.fetch;
  const clock: Clock = { random: Math.random, now: Date.now };

  /**
   * Sends until an answer worth returning, acting on {@link nextStep}'s decisions (retries, the 401
   * refresh, the CA reload). The caller must call `deadline.release()` once it has read the body:
   * until then the call's timeout (for JSON calls) and the caller's signal still apply to the body.
   */
  async function exchange(
    { info, target }: Described,
    call: RequestOptions,
    body: string | undefined,
    stream: boolean,
  ): Promise<{ response: RawResponse; deadline: Deadline }> {
    const idempotent = call.idempotent ?? (info.method === "GET" || info.method === "HEAD");
    const timeoutMs = call.timeoutMs ?? options.timeoutMs;
    const deadline = createDeadline(info, hostPort, timeoutMs, call.signal);
    const { signal } = deadline;
    // A call with a timeout is bounded by it; one without is bounded by the header and body limits
    // (streams have no body limit: a watch or a followed log may be quiet for hours).
    const headersTimeoutMs = timeoutMs === undefined ? peer.headersTimeoutMs : 0;
    const bodyTimeoutMs = timeoutMs === undefined && !stream ? peer.bodyTimeoutMs : 0;
    const started = performance.now();
    let retries = 0;
    let tries = FIRST_TRY;
    const fail = (error: Error): never => {
      hooks.onError({
        method: info.method,
        path: info.path,
        attempt: retries,
        error,
        durationMs: performance.now() - started,
      });
      throw error;
    };
    const wait = async (reason: string, delayMs: number) => {
      retries++;
      hooks.onRetry({ method: info.method, path: info.path, attempt: retries, reason, delayMs });
      try {
        await sleep(delayMs, signal);
      } catch (error) {
        fail(deadline.stopped(error));
      }
    };
    const situation = (): Situation => ({
      idempotent,
      canRefreshAuth: auth !== undefined,
      canReloadCa,
      aborted: signal?.aborted === true,
    });
    try {
      for (;;) {
        if (limiter) {
          try {
            await limiter.acquire(signal);
          } catch (error) {
            fail(deadline.stopped(error));
          }
        }
        const headers: Record<string, string> = {
          accept: call.accept ?? "application/json",
          "user-agent": userAgent,
        };
        if (body !== undefined) headers["content-type"] = call.contentType ?? "application/json";
        if (auth) headers.authorization = await auth.authorization();
        let response: RawResponse;
        const used = sender;
        try {
          response = await used.send({
            target,
            method: info.method,
            headers,
            body,
            signal,
            headersTimeoutMs,
            bodyTimeoutMs,
          });
        } catch (error) {
          let next = nextStep({ failure: error }, situation(), tries, policy, clock);
          tries = afterStep(tries, next);
          if (next.action === "reload-ca") {
            if (await reloadCa(used)) continue;
            next = nextStep({ failure: error }, situation(), tries, policy, clock);
            tries = afterStep(tries, next);
          }
          if (next.action === "retry") {
            await wait(next.reason, next.delayMs);
            continue;
          }
          return fail(
            next.action === "stop" ? deadline.stopped(error) : classifyFailure(info, peer, error),
          );
        }
        const { status } = response;
        const next = nextStep(
          { status, retryAfter: response.headers["retry-after"] },
          situation(),
          tries,
          policy,
          clock,
        );
        tries = afterStep(tries, next);
        if (next.action === "refresh-auth") {
          // The token may have rotated since it was read: refresh it and try once more (client-go does too).
          await response.discard();
          auth?.invalidate();
          continue;
        }
        if (next.action === "retry") {
          await response.discard();
          await wait(next.reason, next.delayMs);
          continue;
        }
        if (observed) {
          hooks.onResponse({
            method: info.method,
            path: info.path,
            attempt: retries,
            status,
            durationMs: performance.now() - started,
            retries,
          });
        }
        if (status >= 200 && status < 300) {
          // Streams have no read timeout: only the wait for the answer is timed.
          if (stream) deadline.stopTimer();
          return { response, deadline };
        }
        // Read enough of an error answer for its Status, never all of a huge one.
        const { bytes } = await readAtMost(response.readable(), MAX_ERROR_BODY_READ).catch(() => ({
          bytes: Buffer.alloc(0),
        }));
        const text = utf8(bytes);
        const statusObject = statusFromResponse(status, text);
        const kept =
          statusObject.message === text.trim().slice(0, 200) && text !== ""
            ? text.slice(0, MAX_ERROR_BODY)
            : undefined;
        return fail(new KubeApiError(info, statusObject, kept));
      }
    } catch (error) {
      deadline.release();
      throw error;
    }
  }

  /** The call as errors name it (path and query, without the server's prefix) and its request target. */
  function describe(
    call: CallOptions & { method?: string },
    extra?: Record<string, QueryValue>,
  ): Described {
    const query = queryString(extra ? { ...call.query, ...extra } : call.query);
    const target = requestTarget(prefix, call.path, query);
    return { info: { method: call.method ?? "GET", path: `${call.path}${query}` }, target };
  }

  async function openStream(
    call: CallOptions,
    extra?: Record<string, QueryValue>,
  ): Promise<{ info: RequestInfo; body: Readable }> {
    const described = describe(call, extra);
    const { info } = described;
    const { response, deadline } = await exchange(
      described,
      { ...call, accept: "application/json" },
      undefined,
      true,
    );
    const body = response.readable();
    body.once("close", deadline.release);
    return { info, body };
  }

  const webSocketContext: WebSocketContext = {
    peer,
    userAgent,
    defaultTimeoutMs: options.timeoutMs,
    hooks,
    describe,
    connection() {
      const current = sender;
      return {
        upgrade: current.upgrade?.bind(current),
        reloadCa: () => reloadCa(current),
      };
    },
    authorization: async () => (auth ? auth.authorization() : undefined),
    invalidate: () => {
      auth?.invalidate();
      return auth !== undefined;
    },
  };

  return {
    server: credentials.server,
    async request<T>(call: RequestOptions): Promise<T> {
      const described = describe(call);
      const { info } = described;
      const { response, deadline } = await exchange(described, call, serialize(call), false);
      const tooLarge = () =>
        new ResponseTooLargeError(
          info,
          `${info.method} ${info.path} → ${response.status} with a body over ${maxResponseBytes} bytes (maxResponseBytes): read it in pages (limit and continue) or raise the limit`,
          maxResponseBytes,
        );
      let text: string;
      try {
        if ((declaredLength(response.headers) ?? 0) > maxResponseBytes) {
          abandon(response.readable());
          throw tooLarge();
        }
        const read = await readAtMost(response.readable(), maxResponseBytes);
        if (!read.complete) throw tooLarge();
        text = utf8(read.bytes);
      } catch (error) {
        if (error instanceof ResponseTooLargeError) throw error;
        throw deadline.signal?.aborted
          ? deadline.stopped(error)
          : classifyFailure(info, peer, error);
      } finally {
        deadline.release();
      }
      if (text === "") return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new TransportError(
          info,
          `${info.method} ${info.path} → ${response.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 100))}`,
          { cause: error },
        );
      }
    },
    async *watch<T>(call: CallOptions): AsyncGenerator<WatchEvent<T>> {
      const { info, body } = await openStream(call, { watch: true });
      // decodeWatch's core, inlined: one async generator per event instead of two (yield*).
      const decoder = new WatchLineDecoder<T>(info, maxWatchEventBytes);
      try {
        for await (const chunk of body) {
          for (const event of decoder.push(chunk)) yield event;
          decoder.throwIfFailed();
        }
        const last = decoder.end();
        if (last) yield last;
      } catch (error) {
        if (call.signal?.aborted) return;
        if (error instanceof TransportError) throw error;
        throw classifyFailure(info, peer, error);
      } finally {
        body.destroy();
      }
    },
    async stream(call: CallOptions): Promise<Readable> {
      return (await openStream(call)).body;
    },
    webSocket: (call) => openWebSocket(webSocketContext, call),
    close: () => sender.close(),
  };
}
