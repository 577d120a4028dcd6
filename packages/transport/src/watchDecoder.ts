import type { WatchEvent } from "@kin/resources";
import { KubeApiError, type RequestInfo, StreamError } from "./errors.js";
import { isStatus } from "./status.js";

const EVENT_TYPES = new Set(["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]);
const NEWLINE = 0x0a;

/** client-go's limit on one object of a stream (`streaming.NewDecoder`'s `maxBytes`): 16 MiB. */
export const DEFAULT_MAX_WATCH_EVENT_BYTES = 16 * 1024 * 1024;

/** Options of {@link decodeWatch}. */
export interface DecodeWatchOptions {
  /** The largest event (one line, in bytes) accepted; a longer one is a `StreamError`. Default 16 MiB (client-go's). */
  maxEventBytes?: number;
}

const asBuffer = (chunk: Uint8Array | string): Buffer =>
  typeof chunk === "string"
    ? Buffer.from(chunk)
    : Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

/**
 * The synchronous core of {@link decodeWatch}: feed it chunks in order, take the complete events
 * each one finishes, and call `end()` when the body ends. Lets the transport decode inside its own
 * generator instead of delegating to a second one (one async hop less per event).
 *
 * Linear in the bytes it is fed: each byte is scanned for a newline once, the pieces of a line that
 * spans chunks are kept as they came and joined once, when the line is complete (a newline byte
 * never occurs inside a multi-byte UTF-8 character, so lines are cut on bytes and decoded whole).
 * @internal
 */
export class WatchLineDecoder<T> {
  readonly #request: RequestInfo;
  readonly #maxEventBytes: number;
  /** The pieces of the line not yet ended by a newline, and their total size. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #failure: { error: unknown } | undefined;

  constructor(request: RequestInfo, maxEventBytes = DEFAULT_MAX_WATCH_EVENT_BYTES) {
    if (!(Number.isSafeInteger(maxEventBytes) && maxEventBytes > 0)) {
      throw new RangeError(`maxEventBytes must be a positive integer, got ${maxEventBytes}`);
    }
    this.#request = request;
    this.#maxEventBytes = maxEventBytes;
  }

  /**
   * The events completed by `chunk`, in order. A bad line, or one over the size limit, stops there:
   * the events before it are returned, and the error (as {@link decodeWatch} throws it) is thrown by
   * {@link throwIfFailed}.
   */
  push(chunk: Uint8Array | string): WatchEvent<T>[] {
    const events: WatchEvent<T>[] = [];
    if (this.#failure) return events;
    const bytes = asBuffer(chunk);
    let start = 0;
    try {
      for (
        let newline = bytes.indexOf(NEWLINE, start);
        newline !== -1;
        newline = bytes.indexOf(NEWLINE, start)
      ) {
        const line = this.#take(bytes, start, newline);
        start = newline + 1;
        if (line !== undefined) events.push(this.#parse(line));
      }
      if (start < bytes.length) {
        this.#keep(bytes.subarray(start));
      }
    } catch (error) {
      this.#failure = { error };
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    return events;
  }

  /** Throws the error of a bad line met by {@link push}, once its earlier events were taken. */
  throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }

  /** The last event, when the body ended after one without its newline. */
  end(): WatchEvent<T> | undefined {
    this.throwIfFailed();
    const request = this.#request;
    const rest = this.#take(Buffer.alloc(0), 0, 0);
    if (rest === undefined) return undefined;
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

  /** Keeps `piece` as part of the line in progress, refusing a line over the limit. */
  #keep(piece: Buffer): void {
    this.#pendingBytes += piece.length;
    if (this.#pendingBytes > this.#maxEventBytes) this.#tooLarge();
    // A subarray would pin the whole chunk; a line in progress is usually a small tail of it.
    this.#pending.push(Buffer.from(piece));
  }

  /** The text of the line made of what is pending and `bytes[start, end)`; `undefined` when blank. */
  #take(bytes: Buffer, start: number, end: number): string | undefined {
    let text: string;
    if (this.#pending.length === 0) {
      if (end - start > this.#maxEventBytes) this.#tooLarge();
      text = bytes.toString("utf8", start, end);
    } else {
      this.#pendingBytes += end - start;
      if (this.#pendingBytes > this.#maxEventBytes) this.#tooLarge();
      this.#pending.push(bytes.subarray(start, end));
      text = Buffer.concat(this.#pending, this.#pendingBytes).toString("utf8");
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    // Blank lines (keep-alives) are skipped; JSON.parse takes care of other surrounding whitespace.
    return text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === "")
      ? undefined
      : text;
  }

  #tooLarge(): never {
    const request = this.#request;
    throw new StreamError(
      request,
      `${request.method} ${request.path} → watch event over ${this.#maxEventBytes} bytes (maxWatchEventBytes), refused`,
    );
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
 * in the middle of an event, a line that is not an event, or an event over `maxEventBytes`
 * (default 16 MiB, client-go's limit), throws a {@link StreamError}.
 */
export async function* decodeWatch<T>(
  chunks: AsyncIterable<Uint8Array | string>,
  request: RequestInfo,
  options: DecodeWatchOptions = {},
): AsyncGenerator<WatchEvent<T>> {
  const decoder = new WatchLineDecoder<T>(request, options.maxEventBytes);
  for await (const chunk of chunks) {
    for (const event of decoder.push(chunk)) yield event;
    decoder.throwIfFailed();
  }
  const last = decoder.end();
  if (last) yield last;
}
