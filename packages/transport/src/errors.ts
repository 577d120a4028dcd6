import { KinError } from "@kin/credentials";
import type { StatusWithCode } from "./status.js";

/** The request an error is about: method and path with query (never headers, so never the token). */
export interface RequestInfo {
  readonly method: string;
  readonly path: string;
}

/**
 * Base of every `@kin/transport` error (a `KinError`): `request` names the call, `cause` keeps the original.
 */
export class TransportError extends KinError {
  override readonly name: string = "TransportError";
  readonly request: RequestInfo;

  constructor(request: RequestInfo, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.request = request;
  }
}

/** The longest part of a Status message put in an error's message; `status.message` keeps it all. */
export const MAX_MESSAGE_CHARS = 1024;

const brief = (message: string): string =>
  message.length > MAX_MESSAGE_CHARS
    ? `${message.slice(0, MAX_MESSAGE_CHARS)}… (${message.length - MAX_MESSAGE_CHARS} more characters in status.message)`
    : message;

/**
 * The server answered with a non-2xx status. `status` is its `Status` (or one made from the HTTP
 * code when the body was not a Status; the body, truncated, is then `status.message` and `body`).
 * The message reads `GET /api/v1/namespaces/x/pods/y → 404 NotFound: pods "y" not found`.
 */
export class KubeApiError extends TransportError {
  override readonly name = "KubeApiError";
  readonly status: StatusWithCode;
  /** The response body when it was not a Status object, truncated to 1 KiB. */
  readonly body: string | undefined;

  constructor(request: RequestInfo, status: StatusWithCode, body?: string) {
    super(
      request,
      // A server's Status may lack `reason` and `message` (they are optional): leave them out then.
      `${request.method} ${request.path} → ${status.code}${status.reason ? ` ${brief(String(status.reason))}` : ""}: ${brief(status.message ?? "")}`,
    );
    this.status = status;
    this.body = body;
  }

  /** The HTTP status code. */
  get code(): number {
    return this.status.code;
  }

  /** The Status reason (`NotFound`, `AlreadyExists`, `Conflict`, …); `""` when the server gave none (client-go's `StatusReasonUnknown`). */
  get reason(): string {
    return this.status.reason ?? "";
  }

  isNotFound(): boolean {
    return this.status.reason === "NotFound" || this.code === 404;
  }
  isAlreadyExists(): boolean {
    return this.status.reason === "AlreadyExists";
  }
  isConflict(): boolean {
    return this.status.reason === "Conflict" || (this.code === 409 && !this.isAlreadyExists());
  }
  isForbidden(): boolean {
    return this.code === 403;
  }
  isUnauthorized(): boolean {
    return this.code === 401;
  }
  /** 410 Gone / `Expired`: a watch or continue token is too old; relist. */
  isGone(): boolean {
    return this.code === 410 || this.status.reason === "Expired" || this.status.reason === "Gone";
  }
  isTooManyRequests(): boolean {
    return this.code === 429;
  }
  isInvalid(): boolean {
    return this.status.reason === "Invalid" || this.code === 422;
  }
  isTimeout(): boolean {
    return this.status.reason === "Timeout" || this.code === 504;
  }
}

/** No answer came from the server. The subclasses say why; the message names host:port. */
export class ConnectionError extends TransportError {
  override readonly name: string = "ConnectionError";
}

/** The server's certificate did not verify (unknown CA, expired, wrong name) or the handshake failed. */
export class TlsError extends ConnectionError {
  override readonly name = "TlsError";
}

/** The server's name did not resolve. */
export class DnsError extends ConnectionError {
  override readonly name = "DnsError";
}

/** Nothing listens at the server's address. */
export class ConnectionRefusedError extends ConnectionError {
  override readonly name = "ConnectionRefusedError";
}

/** The connection was reset or closed before the answer was complete (also mid-stream). */
export class ConnectionResetError extends ConnectionError {
  override readonly name = "ConnectionResetError";
}

/** The request took longer than its timeout; its connection was released. */
export class RequestTimeoutError extends ConnectionError {
  override readonly name = "RequestTimeoutError";
}

/** The caller aborted the request (its `AbortSignal`); the reason is in `cause`. */
export class RequestAbortedError extends ConnectionError {
  override readonly name = "RequestAbortedError";
}

/**
 * The answer was larger than the transport accepts: a body over `maxResponseBytes`, or response
 * headers over undici's limit. Nothing more of it was read; `limit` is the limit it passed, in bytes.
 */
export class ResponseTooLargeError extends TransportError {
  override readonly name = "ResponseTooLargeError";
  readonly limit: number;

  constructor(request: RequestInfo, message: string, limit: number, options?: { cause?: unknown }) {
    super(request, message, options);
    this.limit = limit;
  }
}

/** A stream (watch, logs) broke: it ended in the middle of an event, or sent something that is not an event. */
export class StreamError extends TransportError {
  override readonly name = "StreamError";
}
