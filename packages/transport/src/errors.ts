import type { Status } from "./status.js";

/** The request an error is about: method and path with query (never headers, so never the token). */
export interface RequestInfo {
  readonly method: string;
  readonly path: string;
}

/** Base of every `@kin/transport` error. */
export class TransportError extends Error {
  override readonly name: string = "TransportError";
  readonly request: RequestInfo;

  constructor(request: RequestInfo, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.request = request;
  }
}

/**
 * The server answered with a non-2xx status. `status` is its `Status` object, e.g.
 * `GET /api/v1/namespaces/x/pods/y → 404 NotFound: pods "y" not found`.
 */
export class ApiError extends TransportError {
  override readonly name = "ApiError";
  readonly status: Status;

  constructor(request: RequestInfo, status: Status) {
    super(
      request,
      `${request.method} ${request.path} → ${status.code} ${status.reason}: ${status.message}`,
    );
    this.status = status;
  }

  /** The HTTP status code. */
  get code(): number {
    return this.status.code;
  }

  /** The Status reason (`NotFound`, `AlreadyExists`, `Conflict`, ...). */
  get reason(): string {
    return this.status.reason;
  }

  isNotFound(): boolean {
    return this.status.reason === "NotFound";
  }

  isAlreadyExists(): boolean {
    return this.status.reason === "AlreadyExists";
  }

  isConflict(): boolean {
    return this.status.reason === "Conflict";
  }

  isUnauthorized(): boolean {
    return this.status.code === 401;
  }
}

/** No answer came: the server was unreachable, TLS verification failed, or the request was aborted. */
export class ConnectionError extends TransportError {
  override readonly name = "ConnectionError";
}
