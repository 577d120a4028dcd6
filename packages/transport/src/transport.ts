import type { Credentials } from "@kin/credentials";
import { ApiError, ConnectionError, type RequestInfo, TransportError } from "./errors.js";
import { fetchSender, poolSender, type RawResponse, type Sender } from "./send.js";
import { statusFromResponse } from "./status.js";

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /**
   * Send requests with this `fetch` instead of kin's undici connection pool. The credentials' CA is
   * then not applied (the fetch implementation decides how TLS is verified). Meant for tests with
   * msw and for runtimes without undici. Default: an undici pool that trusts only the credentials' CA.
   */
  fetch?: typeof globalThis.fetch;
  /** The `User-Agent` header. Default `kin (node <version>)`. */
  userAgent?: string;
}

/** A query parameter value; `undefined` leaves the parameter out. */
export type QueryValue = string | number | boolean | undefined;

/** One API request. */
export interface RequestOptions {
  /** HTTP method. Default `GET`. */
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path below the server URL, starting with `/`, e.g. `/api/v1/namespaces/default/pods`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  /** `Content-Type` of the body. Default `application/json`. */
  contentType?: string;
  /** Aborts the request and releases its connection. */
  signal?: AbortSignal;
}

/** Requests to one API server with one set of credentials. */
export interface Transport {
  /** The server's base URL. */
  readonly server: string;
  /**
   * Sends a request and parses the JSON answer.
   * @throws {ApiError} when the server answers with a non-2xx status (carrying its Status).
   * @throws {ConnectionError} when no answer came (unreachable, TLS failure).
   */
  request<T>(options: RequestOptions): Promise<T>;
  /** Closes idle connections; in-flight requests finish first. */
  close(): Promise<void>;
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

const tlsErrorCodes = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

const isTlsFailure = (error: unknown) => tlsErrorCodes.has((error as { code?: string }).code ?? "");

function connectionError(info: RequestInfo, server: string, error: unknown): ConnectionError {
  const detail = error instanceof Error ? error.message : String(error);
  const what = isTlsFailure(error)
    ? `TLS verification of ${server} failed`
    : `cannot reach ${server}`;
  return new ConnectionError(info, `${info.method} ${info.path} → ${what}: ${detail}`, {
    cause: error,
  });
}

/**
 * A transport for `credentials`: TLS that trusts the credentials' CA (verified unless the
 * credentials explicitly say `insecureSkipTlsVerify`), their `Authorization` on every request (on a
 * 401 the auth provider is told to refresh and the request is sent once more), and typed errors
 * that name the request. When TLS verification fails and the credentials can re-read their CA
 * file, the transport re-reads it and, if it changed, sends through a new pool that trusts the new CA.
 */
export function createTransport(
  credentials: Credentials,
  options: TransportOptions = {},
): Transport {
  const base = new URL(credentials.server);
  const prefix = base.pathname.replace(/\/+$/, "");
  const userAgent = options.userAgent ?? `kin (node ${process.version})`;
  const auth = credentials.auth;
  const connect = (ca: string | undefined): Sender =>
    options.fetch
      ? fetchSender(options.fetch)
      : poolSender(base.origin, {
          ca,
          servername: credentials.tlsServerName,
          rejectUnauthorized: credentials.insecureSkipTlsVerify !== true,
        });
  let ca = credentials.ca;
  let sender = connect(ca);
  let caReload: Promise<boolean> | undefined;

  /** Re-reads the CA after a TLS failure; true when it changed and a new pool now trusts it. Shared by concurrent callers. */
  function reloadCa(): Promise<boolean> {
    const reload = credentials.reloadCa;
    if (!reload || options.fetch) return Promise.resolve(false);
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

  async function send(
    info: RequestInfo,
    url: URL,
    request: RequestOptions,
    body: string | undefined,
  ): Promise<RawResponse> {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": userAgent };
    if (body !== undefined) headers["content-type"] = request.contentType ?? "application/json";
    if (auth) headers.authorization = await auth.authorization();
    for (let attempt = 0; ; attempt++) {
      try {
        return await sender.send({
          url,
          method: info.method,
          headers,
          body,
          signal: request.signal,
        });
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        // A failed handshake sent nothing, so even a non-idempotent request is safe to send again.
        if (attempt === 0 && isTlsFailure(error) && (await reloadCa())) continue;
        throw connectionError(info, base.origin, error);
      }
    }
  }

  return {
    server: credentials.server,
    async request<T>(request: RequestOptions): Promise<T> {
      if (!request.path.startsWith("/")) {
        throw new TypeError(`request path must start with "/": ${JSON.stringify(request.path)}`);
      }
      const path = `${request.path}${queryString(request.query)}`;
      const info: RequestInfo = { method: request.method ?? "GET", path };
      const url = new URL(`${prefix}${path}`, base.origin);
      const body = request.body === undefined ? undefined : JSON.stringify(request.body);
      let response = await send(info, url, request, body);
      if (response.status === 401 && auth) {
        // The token may have rotated since it was read: read it again and try once more (client-go does too).
        auth.invalidate();
        response = await send(info, url, request, body);
      }
      if (response.status < 200 || response.status > 299) {
        throw new ApiError(info, statusFromResponse(response.status, response.body));
      }
      if (response.body === "") return undefined as T;
      try {
        return JSON.parse(response.body) as T;
      } catch (error) {
        throw new TransportError(
          info,
          `${info.method} ${info.path} → ${response.status} with a body that is not JSON`,
          { cause: error },
        );
      }
    },
    close: () => sender.close(),
  };
}
