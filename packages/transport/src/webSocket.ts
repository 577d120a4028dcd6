// The client side of a WebSocket connection (RFC 6455) over a socket the HTTP upgrade handed over:
// masked frames out, frames in with their limits, ping/pong, the close handshake, and backpressure
// both ways. Binary messages only: the Kubernetes channel protocols are binary.
import { createHash, randomFillSync } from "node:crypto";
import type { Duplex } from "node:stream";
import { classifyFailure, type Peer } from "./classify.js";
import { type RequestInfo, StreamError, type TransportError } from "./errors.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455 §4.2.2). */
export const acceptFor = (key: string): string =>
  createHash("sha1").update(`${key}${GUID}`).digest("base64");

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** How a WebSocket connection ended. */
export interface WebSocketClose {
  /** The peer's close code: 1000 normal, 1005 none given, 1006 the connection ended without a close frame. */
  readonly code: number;
  /** The peer's close reason (may be empty). */
  readonly reason: string;
  /** Both sides sent a close frame. */
  readonly clean: boolean;
}

/** Limits and timers of a connection. */
export interface WebSocketLimits {
  /** Largest message accepted (fragments included); a larger one closes the connection with 1009. */
  readonly maxMessageBytes: number;
  /** Send a ping this often (ms); 0: never. Without any frame from the peer for 12 intervals + 1 s, the connection is dropped. */
  readonly pingIntervalMs: number;
  /** How long `close()` waits for the peer's close frame and end of the connection before destroying it. */
  readonly closeTimeoutMs: number;
}

/** Messages queued for the reader before the socket is paused (and resumed below half of it). */
const HIGH_WATER_BYTES = 1024 * 1024;

/** Random masking keys, drawn in blocks. */
let keys = Buffer.alloc(0);
let keyOffset = 0;
function nextKey(): Buffer {
  if (keyOffset + 4 > keys.length) {
    keys = randomFillSync(Buffer.allocUnsafeSlow(4096));
    keyOffset = 0;
  }
  const key = keys.subarray(keyOffset, keyOffset + 4);
  keyOffset += 4;
  return key;
}

/** XORs `buf[start, end)` with the 4-byte `key`, a word at a time where the memory is aligned. */
export function applyMask(buf: Uint8Array, start: number, end: number, key: Uint8Array): void {
  let i = start;
  while (i < end && (buf.byteOffset + i) % 4 !== 0) {
    buf[i] = (buf[i] as number) ^ (key[(i - start) % 4] as number);
    i++;
  }
  const words = (end - i) >>> 2;
  if (words > 0) {
    const rotation = i - start;
    const word = new Uint8Array(4);
    for (let b = 0; b < 4; b++) word[b] = key[(rotation + b) % 4] as number;
    const mask32 = new Uint32Array(word.buffer)[0] as number;
    const view = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] = (view[w] as number) ^ mask32;
    i += words * 4;
  }
  while (i < end) {
    buf[i] = (buf[i] as number) ^ (key[(i - start) % 4] as number);
    i++;
  }
}

/** One masked frame holding the concatenation of `parts`. */
function encodeFrame(opcode: number, parts: readonly Uint8Array[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const headerBytes = 2 + lengthBytes + 4;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) frame[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  const key = nextKey();
  key.copy(frame, headerBytes - 4);
  let offset = headerBytes;
  for (const part of parts) {
    frame.set(part, offset);
    offset += part.length;
  }
  applyMask(frame, headerBytes, frame.length, key);
  return frame;
}

/** Valid close codes a peer may send (RFC 6455 §7.4). */
const validCloseCode = (code: number) =>
  (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
  (code >= 3000 && code <= 4999);

/**
 * An open WebSocket connection, client side. Read binary messages with `for await` (one reader at a
 * time: a slow reader pauses the socket, so the peer slows down), write with `send()` (resolves when
 * the socket can take more), end with `close()`. Pings go out every `pingIntervalMs`; pings from the
 * peer are answered. Any protocol breach by the peer (a masked or reserved frame, a text message, a
 * message over `maxMessageBytes`, a bad close frame) closes the connection and fails the reader with
 * a `StreamError`; a lost socket fails it with the matching `ConnectionError`.
 */
export class WebSocketConnection implements AsyncIterable<Buffer> {
  /** The subprotocol the server chose (`Sec-WebSocket-Protocol`), "" for none. */
  readonly protocol: string;
  /** Settles (never rejects) once the socket is closed. */
  readonly closed: Promise<WebSocketClose>;

  readonly #socket: Duplex;
  readonly #request: RequestInfo;
  readonly #peer: Peer;
  readonly #limits: WebSocketLimits;
  // Bytes received and not yet parsed.
  #chunks: Buffer[] = [];
  #buffered = 0;
  // A fragmented message being assembled.
  #fragments: Buffer[] = [];
  #fragmentBytes = 0;
  #inMessage = false;
  // Messages parsed and not yet read.
  #queue: Buffer[] = [];
  #queuedBytes = 0;
  #paused = false;
  #wake: (() => void) | undefined;
  #failure: Error | undefined;
  /** The peer broke the protocol: what it sends next is not read. */
  #broken = false;
  #peerClose: { code: number; reason: string } | undefined;
  #sentClose = false;
  #socketClosed = false;
  #drain: Promise<void> | undefined;
  #lastReceived = performance.now();
  #pinger: ReturnType<typeof setInterval> | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #resolveClosed!: (close: WebSocketClose) => void;

  constructor(
    socket: Duplex,
    protocol: string,
    request: RequestInfo,
    peer: Peer,
    limits: WebSocketLimits,
  ) {
    this.protocol = protocol;
    this.#socket = socket;
    this.#request = request;
    this.#peer = peer;
    this.#limits = limits;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("end", () => {
      if (!this.#peerClose && !this.#sentClose)
        this.#fail(this.#streamError("the connection ended without a close frame"));
      socket.end();
    });
    socket.on("error", (error) => {
      this.#fail(
        this.#sentClose || this.#peerClose
          ? error
          : classifyFailure(this.#request, this.#peer, error),
      );
    });
    socket.on("close", () => this.#onClose());
    if (limits.pingIntervalMs > 0) {
      const deadline = limits.pingIntervalMs * 12 + 1000;
      this.#pinger = setInterval(() => {
        if (!this.#paused && performance.now() - this.#lastReceived > deadline) {
          this.destroy(this.#streamError(`no frame from the server for ${deadline} ms`));
          return;
        }
        this.#write(OP_PING, []);
      }, limits.pingIntervalMs);
      this.#pinger.unref();
    }
    // The socket may already hold data read past the handshake, and may be paused.
    socket.resume();
  }

  /**
   * Sends one binary message made of `parts` (joined, not copied twice). Resolves once the socket
   * can take more; rejects when the connection is closing or closed.
   */
  async send(parts: readonly Uint8Array[]): Promise<void> {
    if (this.#sentClose || this.#socketClosed || this.#peerClose) {
      throw this.#failure ?? this.#streamError("the WebSocket is closed");
    }
    if (!this.#write(OP_BINARY, parts)) await this.#drained();
  }

  /**
   * Starts the close handshake (code 1000 unless given) and resolves when the socket is closed: at
   * the latest `closeTimeoutMs` later, when it is destroyed. Messages already received stay readable.
   */
  close(code = 1000, reason = ""): Promise<WebSocketClose> {
    if (!this.#sentClose && !this.#socketClosed) {
      this.#sendClose(code, reason);
      if (this.#peerClose) this.#socket.end();
    }
    return this.closed;
  }

  /** Fails the reader with `error` at once and closes the connection as `close()` does. */
  abort(error: Error): void {
    this.#fail(error);
    void this.close();
  }

  /** Closes the socket at once; the reader fails with `error` when given. */
  destroy(error?: Error): void {
    if (error) this.#fail(error);
    this.#socket.destroy();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      const message = this.#queue.shift();
      if (message !== undefined) {
        this.#queuedBytes -= message.length;
        if (this.#paused && this.#queuedBytes <= HIGH_WATER_BYTES / 2) {
          this.#paused = false;
          this.#lastReceived = performance.now();
          this.#socket.resume();
        }
        yield message;
        continue;
      }
      if (this.#failure) throw this.#failure;
      if (this.#peerClose || this.#socketClosed) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #streamError(message: string): TransportError {
    return new StreamError(
      this.#request,
      `${this.#request.method} ${this.#request.path} → WebSocket: ${message}`,
    );
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#notify();
  }

  /** Closes with `code` because the peer broke the protocol; nothing more is read. */
  #protocolError(code: number, message: string): void {
    this.#broken = true;
    this.#fail(this.#streamError(message));
    if (!this.#sentClose) this.#sendClose(code, "");
    this.#socket.end();
    this.#chunks = [];
    this.#buffered = 0;
  }

  #write(opcode: number, parts: readonly Uint8Array[]): boolean {
    if (this.#socketClosed || this.#socket.writableEnded) return true;
    return this.#socket.write(encodeFrame(opcode, parts));
  }

  #drained(): Promise<void> {
    this.#drain ??= new Promise<void>((resolve) => {
      const done = () => {
        this.#socket.off("drain", done);
        this.#socket.off("close", done);
        this.#drain = undefined;
        resolve();
      };
      this.#socket.on("drain", done);
      this.#socket.on("close", done);
    });
    return this.#drain;
  }

  #sendClose(code: number, reason: string): void {
    this.#sentClose = true;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.#write(OP_CLOSE, [payload]);
    this.#closeTimer = setTimeout(() => this.#socket.destroy(), this.#limits.closeTimeoutMs);
  }

  #onClose(): void {
    this.#socketClosed = true;
    clearInterval(this.#pinger);
    clearTimeout(this.#closeTimer);
    if (!this.#peerClose && !this.#sentClose)
      this.#fail(this.#streamError("the connection closed without a close frame"));
    this.#notify();
    this.#resolveClosed({
      code: this.#peerClose?.code ?? 1006,
      reason: this.#peerClose?.reason ?? "",
      clean: this.#sentClose && this.#peerClose !== undefined,
    });
  }

  /** The first `n` (a header's, at most 14) buffered bytes, without consuming them. */
  #peek(n: number): Buffer {
    const first = this.#chunks[0] as Buffer;
    if (first.length >= n) return first;
    // Only the chunks that hold those bytes: joining everything buffered for each peek would be
    // quadratic while a large frame arrives in small pieces.
    const parts: Buffer[] = [];
    let length = 0;
    for (const chunk of this.#chunks) {
      parts.push(chunk);
      length += chunk.length;
      if (length >= n) break;
    }
    return Buffer.concat(parts, length).subarray(0, n);
  }

  /** Takes `n` buffered bytes (copied only when they span chunks). */
  #take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.#buffered -= n;
    const first = this.#chunks[0] as Buffer;
    if (first.length > n) {
      this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.#chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let offset = 0;
    while (offset < n) {
      const chunk = this.#chunks[0] as Buffer;
      const used = Math.min(chunk.length, n - offset);
      chunk.copy(out, offset, 0, used);
      offset += used;
      if (used === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(used);
    }
    return out;
  }

  #onData(chunk: Buffer): void {
    this.#lastReceived = performance.now();
    if (this.#peerClose || this.#broken) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    while (this.#buffered >= 2 && !this.#peerClose && !this.#broken) {
      const head = this.#peek(2);
      const b0 = head[0] as number;
      const b1 = head[1] as number;
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      if ((b0 & 0x70) !== 0) {
        this.#protocolError(1002, "a frame with reserved bits set");
        return;
      }
      if ((b1 & 0x80) !== 0) {
        this.#protocolError(1002, "a masked frame from the server");
        return;
      }
      const short = b1 & 0x7f;
      const headerBytes = short === 126 ? 4 : short === 127 ? 10 : 2;
      if (this.#buffered < headerBytes) return;
      let length = short;
      if (short === 126) length = this.#peek(4).readUInt16BE(2);
      else if (short === 127) {
        const header = this.#peek(10);
        const high = header.readUInt32BE(2);
        if (high > 0x1fffff) {
          this.#protocolError(1009, "a frame too large to handle");
          return;
        }
        length = high * 2 ** 32 + header.readUInt32BE(6);
      }
      const control = opcode >= 0x8;
      if (control && (!fin || length > 125)) {
        this.#protocolError(1002, "a fragmented or oversized control frame");
        return;
      }
      if (!control && this.#fragmentBytes + length > this.#limits.maxMessageBytes) {
        this.#protocolError(
          1009,
          `a message over the limit of ${this.#limits.maxMessageBytes} bytes`,
        );
        return;
      }
      if (this.#buffered < headerBytes + length) return;
      this.#take(headerBytes);
      const payload = this.#take(length);
      this.#onFrame(fin, opcode, payload);
    }
  }

  #onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OP_PING:
        if (!this.#sentClose) this.#write(OP_PONG, [payload]);
        return;
      case OP_PONG:
        return;
      case OP_CLOSE: {
        this.#onCloseFrame(payload);
        return;
      }
      case OP_TEXT: {
        this.#protocolError(1003, "a text message on a binary protocol");
        return;
      }
      case OP_BINARY:
      case OP_CONTINUATION: {
        if ((opcode === OP_BINARY) === this.#inMessage) {
          this.#protocolError(1002, "a frame out of its message's sequence");
          return;
        }
        if (!fin) {
          this.#inMessage = true;
          this.#fragments.push(payload);
          this.#fragmentBytes += payload.length;
          return;
        }
        let message = payload;
        if (this.#failure) return; // the reader is gone: drop data, still see the close frame
        if (this.#inMessage) {
          this.#fragments.push(payload);
          message = Buffer.concat(this.#fragments, this.#fragmentBytes + payload.length);
          this.#fragments = [];
          this.#fragmentBytes = 0;
          this.#inMessage = false;
        }
        this.#queue.push(message);
        this.#queuedBytes += message.length;
        if (!this.#paused && this.#queuedBytes > HIGH_WATER_BYTES) {
          this.#paused = true;
          this.#socket.pause();
        }
        this.#notify();
        return;
      }
      default: {
        this.#protocolError(1002, `a frame with the unknown opcode ${opcode}`);
        return;
      }
    }
  }

  #onCloseFrame(payload: Buffer): void {
    let code = 1005;
    let reason = "";
    if (payload.length === 1) {
      this.#protocolError(1002, "a close frame of one byte");
      return;
    }
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!validCloseCode(code)) {
        this.#protocolError(1002, `the close code ${code}`);
        return;
      }
      try {
        reason = new TextDecoder("utf-8", { fatal: true }).decode(payload.subarray(2));
      } catch {
        this.#protocolError(1007, "a close reason that is not UTF-8");
        return;
      }
    }
    this.#peerClose = { code, reason };
    if (!this.#sentClose) this.#sendClose(code === 1005 ? 1000 : code, "");
    this.#socket.end();
    this.#notify();
  }
}
