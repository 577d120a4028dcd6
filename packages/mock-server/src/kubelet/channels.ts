// The channel protocols over a WebSocket, server side, as the kubelet speaks them
// (k8s.io/apimachinery/pkg/util/httpstream/wsstream/conn.go, v1.28, and v1.30's for v5): each message
// starts with its channel byte (`channel.k8s.io`, `v4.channel.k8s.io`, `v5.channel.k8s.io`), or with
// the channel as an ASCII digit and a base64 payload (`base64.channel.k8s.io`,
// `v4.base64.channel.k8s.io`). v5 adds the CLOSE signal `[255, channel]` that half-closes a channel.
import { Readable } from "node:stream";
import type { WebSocket } from "ws";

/** How a channel may be used, from the server's side (wsstream.ChannelType). */
export type ChannelType = "ignore" | "read" | "write" | "readwrite";

export const V5 = "v5.channel.k8s.io";
export const V4 = "v4.channel.k8s.io";
export const V4_BASE64 = "v4.base64.channel.k8s.io";
export const STREAM_CLOSE = 255;

/** Subprotocols whose messages are text: a digit, then base64. */
const BASE64 = new Set(["base64.channel.k8s.io", V4_BASE64]);

/**
 * The kubelet's `handshake`: the first protocol the client offers that the server supports (with no
 * protocol offered, ""). `undefined` when none matches: x/net/websocket then answers 403.
 */
export function chooseProtocol(
  offered: readonly string[],
  supported: readonly string[],
): string | undefined {
  const asked = offered.length === 0 ? [""] : offered;
  return asked.find((protocol) => supported.includes(protocol));
}

/** Bytes queued on the socket before writers wait for it to drain. */
const WRITE_HIGH_WATER = 1024 * 1024;

/**
 * A WebSocket split into numbered channels. Readable channels are Node streams with backpressure
 * (a full one pauses the socket, as the kubelet's pipes block its read loop); writes wait while the
 * socket has more than a megabyte queued.
 */
export class ChannelConnection {
  readonly protocol: string;
  readonly #ws: WebSocket;
  readonly #base64: boolean;
  readonly #types: readonly ChannelType[];
  readonly #readers: (Readable | undefined)[];
  #pausedBy = new Set<Readable>();
  #queued = 0;
  #waiters: (() => void)[] = [];
  /** Settles when the socket is closed. */
  readonly closed: Promise<void>;

  constructor(ws: WebSocket, protocol: string, types: readonly ChannelType[]) {
    this.protocol = protocol;
    this.#ws = ws;
    this.#base64 = BASE64.has(protocol);
    this.#types = types;
    this.#readers = types.map((type) => {
      if (type !== "read" && type !== "readwrite") return undefined;
      // The consumer wants more: resume the socket once no reader holds it paused.
      const reader: Readable = new Readable({
        read: () => {
          if (this.#pausedBy.delete(reader) && this.#pausedBy.size === 0) ws.resume();
        },
      });
      return reader;
    });
    this.closed = new Promise((resolve) => ws.once("close", () => resolve()));
    ws.on("message", (data: Buffer, isBinary: boolean) => this.#onMessage(data, isBinary));
    ws.once("close", () => {
      for (const reader of this.#readers) if (reader && !reader.readableEnded) reader.push(null);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    ws.on("error", () => {});
  }

  /** Whether the client may half-close channels (v5). */
  get supportsClose(): boolean {
    return this.protocol === V5;
  }

  /** What the client sends on `channel` (ends at its CLOSE signal or when the socket closes); an empty, ended stream for a channel that is not readable. */
  reader(channel: number): Readable {
    return this.#readers[channel] ?? Readable.from([]);
  }

  /** Writes `data` on `channel` (dropped unless the channel is writable); resolves when the socket can take more. */
  async write(channel: number, data: Uint8Array): Promise<void> {
    const type = this.#types[channel];
    if (type !== "write" && type !== "readwrite") return;
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    const frame = this.#base64
      ? `${String.fromCharCode(48 + channel)}${Buffer.from(data).toString("base64")}`
      : Buffer.concat([Buffer.from([channel]), data]);
    this.#queued += frame.length;
    this.#ws.send(frame, { binary: !this.#base64 }, () => {
      this.#queued -= frame.length;
      if (this.#queued <= WRITE_HIGH_WATER) for (const wake of this.#waiters.splice(0)) wake();
    });
    if (this.#queued > WRITE_HIGH_WATER)
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Closes the WebSocket (a close frame with 1000, as the kubelet's `conn.Close()`). */
  close(): void {
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING)
      this.#ws.close(1000);
  }

  /** Drops the connection at once (the server going away). */
  terminate(): void {
    this.#ws.terminate();
  }

  #onMessage(raw: Buffer, isBinary: boolean): void {
    let data = raw;
    if (data.length === 0) return;
    if (this.supportsClose && isBinary && data[0] === STREAM_CLOSE) {
      // `[255, channel]`: the client will send no more on that channel. Anything else is a protocol error.
      const channel = data[1];
      if (data.length !== 2 || channel === undefined || channel >= this.#types.length) {
        this.close();
        return;
      }
      const reader = this.#readers[channel];
      if (reader && !reader.readableEnded) reader.push(null);
      return;
    }
    let channel = data[0] as number;
    if (this.#base64) {
      channel -= 48;
      data = Buffer.from(data.subarray(1).toString(), "base64");
    } else data = data.subarray(1);
    const reader = this.#readers[channel];
    // Frames for channels that do not read are dropped (wsstream's DataFromSocket).
    if (!reader || reader.readableEnded || data.length === 0) return;
    if (!reader.push(data) && !this.#pausedBy.has(reader)) {
      this.#pausedBy.add(reader);
      this.#ws.pause();
    }
  }
}
