import { KubeApiError, type RequestInfo, StreamError } from "./errors.js";
import { isStatus } from "./status.js";

/** One event of a watch stream. `ERROR` events are not yielded: they become a {@link KubeApiError}. */
export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
  object: T;
}

const EVENT_TYPES = new Set(["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]);

/**
 * Decodes a watch body (newline-delimited JSON) into events. Correct across any chunk boundary,
 * multi-byte UTF-8 included; pulls one chunk at a time (backpressure: nothing is read ahead of the
 * consumer). An `ERROR` event throws a {@link KubeApiError} (410 → `isGone()`); a stream that ends
 * in the middle of an event, or a line that is not an event, throws a {@link StreamError}.
 */
export async function* decodeWatch<T>(
  chunks: AsyncIterable<Uint8Array | string>,
  request: RequestInfo,
): AsyncGenerator<WatchEvent<T>> {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let pending = "";
  const parse = (line: string): WatchEvent<T> => {
    let event: { type?: unknown; object?: unknown };
    try {
      event = JSON.parse(line);
    } catch (error) {
      throw new StreamError(
        request,
        `${request.method} ${request.path} → watch sent a line that is not JSON: ${JSON.stringify(line.slice(0, 100))}`,
        { cause: error },
      );
    }
    if (event.type === "ERROR") {
      if (isStatus(event.object)) throw new KubeApiError(request, event.object);
      throw new StreamError(
        request,
        `${request.method} ${request.path} → watch sent an ERROR event without a Status`,
      );
    }
    if (
      typeof event.type !== "string" ||
      !EVENT_TYPES.has(event.type) ||
      typeof event.object !== "object" ||
      event.object === null
    ) {
      throw new StreamError(
        request,
        `${request.method} ${request.path} → watch sent something that is not an event: ${JSON.stringify(line.slice(0, 100))}`,
      );
    }
    return event as WatchEvent<T>;
  };
  for await (const chunk of chunks) {
    pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      const line = pending.slice(start, newline).trim();
      start = newline + 1;
      if (line !== "") yield parse(line);
      newline = pending.indexOf("\n", start);
    }
    pending = pending.slice(start);
  }
  const rest = (pending + decoder.decode()).trim();
  if (rest === "") return;
  let complete = true;
  try {
    JSON.parse(rest);
  } catch {
    complete = false;
  }
  // The server ends every event with a newline; a last line that does not parse means the stream was cut.
  if (!complete) {
    throw new StreamError(
      request,
      `${request.method} ${request.path} → watch stream ended in the middle of an event (${Buffer.byteLength(rest)} bytes)`,
    );
  }
  yield parse(rest);
}
