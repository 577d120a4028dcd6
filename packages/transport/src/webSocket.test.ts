import { randomBytes } from "node:crypto";
import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { StreamError } from "./errors.js";
import { acceptFor, applyMask, WebSocketConnection } from "./webSocket.js";

/** A socket whose writes are recorded and whose reads are what the test pushes. */
class FakeSocket extends Duplex {
  written: Buffer[] = [];
  override _read() {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.written.push(chunk);
    callback();
  }
  override _final(callback: () => void) {
    callback();
  }
  /** The frames the client sent, unmasked. */
  frames(): { fin: boolean; opcode: number; payload: Buffer; masked: boolean }[] {
    let data = Buffer.concat(this.written);
    const frames = [];
    while (data.length > 0) {
      const b0 = data[0] as number;
      const b1 = data[1] as number;
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        length = data.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        length = Number(data.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const key = masked ? data.subarray(offset, offset + 4) : Buffer.alloc(4);
      if (masked) offset += 4;
      const payload = Buffer.from(data.subarray(offset, offset + length));
      for (let i = 0; i < payload.length; i++)
        payload[i] = (payload[i] as number) ^ (key[i % 4] as number);
      frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload, masked });
      data = data.subarray(offset + length);
    }
    return frames;
  }
}

/** A server frame (unmasked unless asked). */
function frame(
  opcode: number,
  payload: Buffer | string = Buffer.alloc(0),
  options: { fin?: boolean; mask?: boolean; rsv?: number } = {},
): Buffer {
  const body = Buffer.from(payload);
  const { fin = true, mask = false, rsv = 0 } = options;
  let header: Buffer;
  if (body.length < 126) header = Buffer.from([0, body.length]);
  else if (body.length < 0x10000) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(body.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(body.length), 2);
  }
  header[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  if (mask) header[1] = (header[1] as number) | 0x80;
  return Buffer.concat([header, mask ? Buffer.alloc(4) : Buffer.alloc(0), body]);
}

const request = { method: "GET", path: "/api/v1/namespaces/d/pods/p/exec" };
const peer = { hostPort: "10.0.0.1:6443", headersTimeoutMs: 0, bodyTimeoutMs: 0 };
const open = (socket: FakeSocket, maxMessageBytes = 1024 * 1024) =>
  new WebSocketConnection(socket, "v5.channel.k8s.io", request, peer, {
    maxMessageBytes,
    pingIntervalMs: 0,
    closeTimeoutMs: 50,
  });

async function collect(ws: WebSocketConnection): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const message of ws) out.push(message);
  return out;
}

describe("masking", () => {
  it("equals a byte-by-byte XOR whatever the alignment and length", () => {
    const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
    for (const start of [0, 1, 2, 3, 5]) {
      for (const length of [0, 1, 3, 4, 7, 64, 1001]) {
        const original = randomBytes(start + length + 3);
        const masked = Buffer.from(original);
        applyMask(masked, start, start + length, key);
        for (let i = 0; i < original.length; i++) {
          const inside = i >= start && i < start + length;
          const want = inside
            ? (original[i] as number) ^ (key[(i - start) % 4] as number)
            : original[i];
          expect(masked[i]).toBe(want);
        }
      }
    }
  });

  it("computes Sec-WebSocket-Accept as RFC 6455's example", () => {
    expect(acceptFor("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });
});

describe("WebSocketConnection", () => {
  it("sends masked binary frames holding the joined parts, with fresh keys", async () => {
    const socket = new FakeSocket();
    const ws = open(socket);
    const big = randomBytes(70_000);
    await ws.send([Buffer.from([1]), Buffer.from("hello")]);
    await ws.send([Buffer.from([0]), big]);
    const frames = socket.frames();
    expect(frames).toHaveLength(2);
    expect(frames.every((f) => f.masked && f.fin && f.opcode === 2)).toBe(true);
    expect(frames[0]?.payload).toEqual(Buffer.from("\x01hello"));
    expect(frames[1]?.payload.equals(Buffer.concat([Buffer.from([0]), big]))).toBe(true);
    const raw = Buffer.concat(socket.written);
    expect(raw.subarray(2, 6).equals(raw.subarray(12 + 6 + 4, 12 + 6 + 8))).toBe(false);
    ws.destroy();
  });

  it("reads messages split anywhere across chunks, fragmented ones and 16/64-bit lengths", async () => {
    const socket = new FakeSocket();
    const ws = open(socket);
    const big = randomBytes(70_000);
    const bytes = Buffer.concat([
      frame(2, "\x01one"),
      frame(2, "\x02tw", { fin: false }),
      frame(9, "ping!"), // a control frame between fragments
      frame(0, "o", { fin: false }),
      frame(0, "", { fin: true }),
      frame(2, Buffer.concat([Buffer.from([1]), big])),
      frame(2, randomBytes(300)),
      frame(8, Buffer.from([0x03, 0xe8])),
    ]);
    for (let i = 0; i < bytes.length; i += 7) socket.push(bytes.subarray(i, i + 7));
    const messages = await collect(ws);
    expect(messages.map((m) => m.length)).toEqual([4, 4, 70_001, 300]);
    expect(messages[0]?.toString()).toBe("\x01one");
    expect(messages[1]?.toString()).toBe("\x02two");
    expect(messages[2]?.subarray(1).equals(big)).toBe(true);
    const sent = socket.frames();
    expect(sent.find((f) => f.opcode === 10)?.payload.toString()).toBe("ping!");
    // The server's close is answered with a close frame holding its code, then the socket ends.
    expect(sent.at(-1)).toMatchObject({ opcode: 8 });
    expect(sent.at(-1)?.payload.readUInt16BE(0)).toBe(1000);
    socket.destroy();
    expect(await ws.closed).toEqual({ code: 1000, reason: "", clean: true });
  });

  it("reads empty messages, also one that ends a chunk", async () => {
    const socket = new FakeSocket();
    const ws = open(socket);
    socket.push(frame(2, ""));
    socket.push(Buffer.concat([frame(2, "\x01"), frame(2, "")]));
    socket.push(frame(8, Buffer.from([0x03, 0xe8])));
    expect((await collect(ws)).map((m) => m.length)).toEqual([0, 1, 0]);
    socket.destroy();
  });

  it.each([
    ["a masked frame", frame(2, "x", { mask: true }), 1002, /masked frame from the server/],
    ["reserved bits", frame(2, "x", { rsv: 4 }), 1002, /reserved bits/],
    ["a text message", frame(1, "x"), 1003, /text message on a binary protocol/],
    ["an unknown opcode", frame(3, "x"), 1002, /unknown opcode 3/],
    ["a fragmented ping", frame(9, "x", { fin: false }), 1002, /control frame/],
    ["a stray continuation", frame(0, "x"), 1002, /out of its message's sequence/],
    ["a bad close code", frame(8, Buffer.from([0x03, 0xed])), 1002, /close code 1005/],
    [
      "a close reason that is not UTF-8",
      frame(8, Buffer.from([0x03, 0xe8, 0xff])),
      1007,
      /not UTF-8/,
    ],
    ["a message over the limit", frame(2, Buffer.alloc(2000)), 1009, /over the limit of 1024/],
  ])(
    "fails the reader and closes with the right code on %s",
    async (_name, bytes, code, message) => {
      const socket = new FakeSocket();
      const ws = open(socket, 1024);
      socket.push(bytes);
      const error = await collect(ws).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamError);
      expect((error as Error).message).toMatch(
        /^GET \/api\/v1\/namespaces\/d\/pods\/p\/exec → WebSocket: /,
      );
      expect((error as Error).message).toMatch(message);
      const close = socket.frames().find((f) => f.opcode === 8);
      expect(close?.payload.readUInt16BE(0)).toBe(code);
      expect(socket.writableEnded).toBe(true);
      ws.destroy();
    },
  );

  it("counts fragments toward the message limit", async () => {
    const socket = new FakeSocket();
    const ws = open(socket, 1024);
    socket.push(frame(2, Buffer.alloc(1000), { fin: false }));
    socket.push(frame(0, Buffer.alloc(1000)));
    await expect(collect(ws)).rejects.toThrow(/over the limit of 1024/);
    ws.destroy();
  });

  it("pauses the socket while a megabyte waits unread, and resumes as the reader catches up", async () => {
    const socket = new FakeSocket();
    const ws = open(socket);
    const message = frame(2, Buffer.alloc(64 * 1024, 7));
    for (let i = 0; i < 40; i++) socket.push(message);
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.isPaused()).toBe(true);
    const reader = ws[Symbol.asyncIterator]();
    let read = 0;
    while (socket.isPaused()) {
      await reader.next();
      read++;
    }
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(40);
    ws.destroy();
  });

  it("ends the reader cleanly after close(): close frame out, the server's back, socket closed", async () => {
    const socket = new FakeSocket();
    const ws = open(socket);
    socket.push(frame(2, "\x01last"));
    const closing = ws.close(1000, "bye");
    expect(socket.frames().at(-1)).toMatchObject({ opcode: 8 });
    expect(socket.frames().at(-1)?.payload.subarray(2).toString()).toBe("bye");
    await expect(ws.send([Buffer.from("late")])).rejects.toThrow(/the WebSocket is closed/);
    socket.push(frame(8, Buffer.from([0x03, 0xe8])));
    const messages = await collect(ws);
    expect(messages.map(String)).toEqual(["\x01last"]);
    socket.destroy();
    expect(await closing).toEqual({ code: 1000, reason: "", clean: true });
  });

  it("destroys the socket when the server never answers a close", async () => {
    const socket = new FakeSocket();
    const ws = open(socket);
    const close = await ws.close();
    expect(close).toEqual({ code: 1006, reason: "", clean: false });
    expect(socket.destroyed).toBe(true);
  });

  it("fails the reader when the connection ends without a close frame", async () => {
    const socket = new FakeSocket();
    const ws = open(socket);
    socket.push(frame(2, "\x01partial"));
    socket.push(null);
    const seen: string[] = [];
    const error = await (async () => {
      for await (const m of ws) seen.push(m.toString());
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["\x01partial"]);
    expect((error as Error).message).toMatch(/ended without a close frame/);
    socket.destroy();
  });

  it("abort() fails the reader with the given error and closes", async () => {
    const socket = new FakeSocket();
    const ws = open(socket);
    const reading = collect(ws);
    ws.abort(new Error("stop"));
    await expect(reading).rejects.toThrow("stop");
    expect(socket.frames().at(-1)?.opcode).toBe(8);
    expect((await ws.closed).clean).toBe(false);
  });

  it("sends pings on its interval and drops a connection that stays silent", async () => {
    const socket = new FakeSocket();
    const ws = new WebSocketConnection(socket, "", request, peer, {
      maxMessageBytes: 1024,
      pingIntervalMs: 5,
      closeTimeoutMs: 50,
    });
    const error = await collect(ws).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/no frame from the server for 1060 ms/);
    expect(socket.frames().filter((f) => f.opcode === 9).length).toBeGreaterThan(5);
    expect(socket.destroyed).toBe(true);
  });
});
