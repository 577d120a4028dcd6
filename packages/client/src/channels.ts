// The Kubernetes channel protocols over a WebSocket, client side: every message starts with its
// channel byte. A reader per channel with backpressure: while one channel's consumer is behind, no
// more messages are read, so the socket pauses and the server slows down.
import { Readable } from "node:stream";
import type { WebSocketConnection } from "@kin/transport";

/** `v5.channel.k8s.io`: v4 plus the CLOSE signal `[255, channel]` that half-closes a channel. */
export const V5 = "v5.channel.k8s.io";
/** `v4.channel.k8s.io`: exit codes as a Status on the error channel. */
export const V4 = "v4.channel.k8s.io";
export const CLOSE_SIGNAL = 255;

/** A channel's incoming data as a Node stream; it ends when the connection ends, never with an error. */
export class ChannelReadable extends Readable {
  #wake: (() => void) | undefined;

  override _read(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this._read();
    callback(error);
  }

  /** Pushes `data`; resolves once the consumer wants more (at once if it went away). */
  async deliver(data: Buffer): Promise<void> {
    if (this.destroyed || this.readableEnded) return;
    if (!this.push(data)) await new Promise<void>((resolve) => (this.#wake = resolve));
  }

  /** Ends the stream (after what it holds is read). */
  finish(): void {
    if (!this.destroyed && !this.readableEnded) this.push(null);
  }
}

/** What to do with one channel's messages: resolve when ready for the next. */
export type ChannelSink = (data: Buffer) => Promise<void> | void;

/**
 * Reads `ws` until it ends, handing each message's payload to its channel's sink (messages of other
 * channels are dropped, as the servers drop them). Rejects with the connection's failure.
 */
export async function demultiplex(
  ws: WebSocketConnection,
  sinks: ReadonlyMap<number, ChannelSink>,
): Promise<void> {
  for await (const message of ws) {
    if (message.length === 0) continue;
    const sink = sinks.get(message[0] as number);
    if (sink) await sink(message.subarray(1));
  }
}

/** Collects a channel's bytes up to `limit` (the error channel: a Status or a message). */
export class BoundedText {
  #parts: Buffer[] = [];
  #length = 0;
  truncated = false;

  constructor(readonly limit: number) {}

  add(data: Buffer): void {
    const room = this.limit - this.#length;
    if (data.length > room) this.truncated = true;
    if (room <= 0) return;
    const part = data.subarray(0, room);
    this.#parts.push(part);
    this.#length += part.length;
  }

  get length(): number {
    return this.#length;
  }

  text(): string {
    return Buffer.concat(this.#parts).toString();
  }
}
