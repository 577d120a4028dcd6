import {
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  DnsError,
  type RequestInfo,
  RequestTimeoutError,
  ResponseTooLargeError,
  TlsError,
  type TransportError,
} from "./errors.js";

const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);
const RESET_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "ECONNABORTED",
]);
const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "ETIMEDOUT"]);

/** undici's limit on the size of response headers (Node's `http.maxHeaderSize`). */
const MAX_HEADER_BYTES = 16 * 1024;

/** The server a request went to, and the time limits that applied, to name them in messages. */
export interface Peer {
  /** `host:port`. */
  readonly hostPort: string;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
}

const codeOf = (error: unknown): string => {
  const own = (error as { code?: unknown }).code;
  if (typeof own === "string") return own;
  const cause = (error as { cause?: unknown }).cause;
  return cause ? codeOf(cause) : "";
};

/** Whether the failure is a certificate that did not verify (the CA may have been rotated). */
export const isCertificateFailure = (error: unknown): boolean => TLS_CODES.has(codeOf(error));

/** Whether nothing can have reached the server (refused, DNS): safe to retry an idempotent request. */
export const isResetOrRefused = (error: unknown): boolean => {
  const code = codeOf(error);
  return RESET_CODES.has(code) || code === "ECONNREFUSED";
};

/**
 * Turns a low-level failure into the matching {@link ConnectionError} (or a
 * {@link ResponseTooLargeError} for headers over undici's limit), naming the request and host:port.
 */
export function classifyFailure(request: RequestInfo, peer: Peer, error: unknown): TransportError {
  const { hostPort } = peer;
  const code = codeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const head = `${request.method} ${request.path} →`;
  const options = { cause: error };
  if (TLS_CODES.has(code) || code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS")) {
    return new TlsError(
      request,
      `${head} TLS verification of ${hostPort} failed: ${detail}`,
      options,
    );
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new DnsError(request, `${head} cannot resolve ${hostPort}: ${detail}`, options);
  if (code === "ECONNREFUSED")
    return new ConnectionRefusedError(
      request,
      `${head} connection refused by ${hostPort}: ${detail}`,
      options,
    );
  if (RESET_CODES.has(code))
    return new ConnectionResetError(
      request,
      `${head} connection to ${hostPort} was reset: ${detail}`,
      options,
    );
  if (code === "UND_ERR_HEADERS_TIMEOUT")
    return new RequestTimeoutError(
      request,
      `${head} ${hostPort} sent no complete response headers within ${peer.headersTimeoutMs} ms (headersTimeoutMs)`,
      options,
    );
  if (code === "UND_ERR_BODY_TIMEOUT")
    return new RequestTimeoutError(
      request,
      `${head} ${hostPort} stopped sending the response body: nothing for ${peer.bodyTimeoutMs} ms (bodyTimeoutMs)`,
      options,
    );
  if (code === "UND_ERR_HEADERS_OVERFLOW")
    return new ResponseTooLargeError(
      request,
      `${head} ${hostPort} sent response headers over ${MAX_HEADER_BYTES} bytes`,
      MAX_HEADER_BYTES,
      options,
    );
  if (TIMEOUT_CODES.has(code))
    return new RequestTimeoutError(
      request,
      `${head} ${hostPort} did not answer in time: ${detail}`,
      options,
    );
  return new ConnectionError(request, `${head} cannot reach ${hostPort}: ${detail}`, options);
}
