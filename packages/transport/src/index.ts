export type { RequestInfo } from "./errors.js";
export { ApiError, ConnectionError, TransportError } from "./errors.js";
export type { Status } from "./status.js";
export type { QueryValue, RequestOptions, Transport, TransportOptions } from "./transport.js";
export { createTransport } from "./transport.js";
