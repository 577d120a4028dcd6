export type { RequestInfo } from "./errors.js";
export {
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  DnsError,
  KubeApiError,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseTooLargeError,
  StreamError,
  TlsError,
  TransportError,
} from "./errors.js";
export type {
  ErrorEvent,
  RequestEvent,
  ResponseEvent,
  RetryEvent,
  TransportHooks,
} from "./hooks.js";
export type { WebSocketOptions } from "./openWebSocket.js";
export { assertSafePath } from "./path.js";
export type { RateLimit } from "./rateLimiter.js";
export { DEFAULT_RATE_LIMIT } from "./rateLimiter.js";
export type { RetryOptions } from "./retry.js";
export { DEFAULT_RETRY } from "./retry.js";
export type {
  CallOptions,
  QueryValue,
  RequestOptions,
  Transport,
  TransportOptions,
} from "./transport.js";
export { createTransport } from "./transport.js";
export type { DecodeWatchOptions } from "./watchDecoder.js";
export { decodeWatch } from "./watchDecoder.js";
export type { WebSocketClose, WebSocketConnection } from "./webSocket.js";
