import type { QueryValue, Transport } from "@kin/transport";
import type { CallOptions } from "./options.js";

/** Requests to any path, for what the typed API does not cover: `await client.raw.get("/api")`. */
export interface RawApi {
  get<T = unknown>(
    path: string,
    options?: CallOptions & { query?: Record<string, QueryValue> },
  ): Promise<T>;
  post<T = unknown>(
    path: string,
    body: unknown,
    options?: CallOptions & { contentType?: string },
  ): Promise<T>;
  put<T = unknown>(path: string, body: unknown, options?: CallOptions): Promise<T>;
  patch<T = unknown>(
    path: string,
    body: unknown,
    options: CallOptions & { contentType: string },
  ): Promise<T>;
  delete<T = unknown>(path: string, options?: CallOptions): Promise<T>;
}

export function rawApi(transport: Transport): RawApi {
  return {
    get: (path, o) =>
      transport.request({ path, query: o?.query, signal: o?.signal, timeoutMs: o?.timeoutMs }),
    post: (path, body, o) =>
      transport.request({
        method: "POST",
        path,
        body,
        contentType: o?.contentType,
        signal: o?.signal,
        timeoutMs: o?.timeoutMs,
      }),
    put: (path, body, o) =>
      transport.request({ method: "PUT", path, body, signal: o?.signal, timeoutMs: o?.timeoutMs }),
    patch: (path, body, o) =>
      transport.request({
        method: "PATCH",
        path,
        body,
        contentType: o.contentType,
        signal: o.signal,
        timeoutMs: o.timeoutMs,
      }),
    delete: (path, o) =>
      transport.request({ method: "DELETE", path, signal: o?.signal, timeoutMs: o?.timeoutMs }),
  };
}
