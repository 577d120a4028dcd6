import type { WatchEvent } from "@kin/resources";
import { KubeApiError, type RequestInfo, StreamError } from "./errors.js";
import { isStatus } from "./status.js";

const EVENT_TYPES = new Set(["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]);

/**
 * The synchronous core of {@link decodeWatch}: feed it chunks in order, take the complete events
 * each one finishes, and call `end()` when the body ends. Lets the transport decode inside its own
 * generator instead of delegating to a second one (one async hop less per event).
 * @internal
 */
export class WatchLineDecoder<T> {
  readonly #request: RequestInfo;
  readonly #decoder = new TextDecoder("utf-8", { fatal: false });
  #pending = "";
  #failure: { error: unknown } | undefined;

  constructor(request: RequestInfo) {
    this.#request = request;
  }

  /**
   * The events completed by `chunk`, in order. A bad line stops there: the events before it are
   * returned, and the error (as {@link decodeWatch} throws it) is thrown by {@link throwIfFailed}.
   */
  push(chunk: Uint8Array | string): WatchEvent<T>[] {
    const pending =
      this.#pending +
      (typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true }));
    const events: WatchEvent<T>[] = [];
    let start = 0;
    let newline = pending.indexOf("\n");
    try {
      while (newline !== -1) {
        const line = pending.slice(start, newline).trim();
        start = newline + 1;
        if (line !== "") events.push(this.#parse(line));
        newline = pending.indexOf("\n", start);
      }
    } catch (error) {
      this.#failure = { error };
    }
    this.#pending = pending.slice(start);
    return events;
  }

  /** Throws the error of a bad line met by {@link push}, once its earlier events were taken. */
  throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }

  /** The last event, when the body ended after one without its newline. */
  end(): WatchEvent<T> | undefined {
    const request = this.#request;
    const rest = (this.#pending + this.#decoder.decode()).trim();
    this.#pending = "";
    if (rest === "") return undefined;
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
    return this.#parse(rest);
  }

  #parse(line: string): WatchEvent<T> {
    const request = this.#request;
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
  }
}

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
  const decoder = new WatchLineDecoder<T>(request);
  for await (const chunk of chunks) {
    for (const event of decoder.push(chunk)) yield event;
    decoder.throwIfFailed();
  }
  const last = decoder.end();
  if (last) yield last;
}
