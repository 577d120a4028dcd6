import type { WatchEvent } from "@kin/resources";
import { describe, expect, it } from "vitest";
import { KubeApiError, StreamError } from "./errors.js";
import { type DecodeWatchOptions, decodeWatch } from "./watchDecoder.js";

const request = { method: "GET", path: "/api/v1/pods?watch=true" };
const event = (type: string, name: string) =>
  JSON.stringify({ type, object: { metadata: { name } } });

async function collect(
  chunks: Iterable<string | Uint8Array>,
  options?: DecodeWatchOptions,
): Promise<WatchEvent<{ metadata: { name: string } }>[]> {
  const out: WatchEvent<{ metadata: { name: string } }>[] = [];
  for await (const e of decodeWatch<{ metadata: { name: string } }>(
    (async function* () {
      yield* chunks;
    })(),
    request,
    options,
  ))
    out.push(e);
  return out;
}

/** Cuts bytes into pieces of `size`, so boundaries fall anywhere, inside multi-byte characters too. */
const pieces = (bytes: Uint8Array, size: number) =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
    bytes.subarray(i * size, (i + 1) * size),
  );

describe("decodeWatch", () => {
  const stream = `${event("ADDED", "ünïcødé-π")}\n${event("MODIFIED", "b")}\n${event("BOOKMARK", "")}\n\n${event("DELETED", "日本")}\n`;

  it("decodes the same events whatever the chunk boundaries", async () => {
    const bytes = new TextEncoder().encode(stream);
    const whole = await collect([bytes]);
    expect(whole.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ["ADDED", "ünïcødé-π"],
      ["MODIFIED", "b"],
      ["BOOKMARK", ""],
      ["DELETED", "日本"],
    ]);
    for (const size of [1, 2, 3, 5, 7, 64])
      expect(await collect(pieces(bytes, size))).toEqual(whole);
  });

  it("accepts a last event without its newline", async () => {
    expect(await collect([event("ADDED", "a")])).toHaveLength(1);
  });

  it("turns an ERROR event into a KubeApiError; 410 is isGone()", async () => {
    const gone = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "too old resource version: 1 (5)",
      reason: "Expired",
      code: 410,
    };
    const events: string[] = [];
    const error = await (async () => {
      try {
        for await (const e of decodeWatch<{ metadata: { name: string } }>(
          (async function* () {
            yield `${event("ADDED", "a")}\n${JSON.stringify({ type: "ERROR", object: gone })}\n`;
          })(),
          request,
        ))
          events.push(e.object.metadata.name);
      } catch (e) {
        return e as KubeApiError;
      }
    })();
    expect(events).toEqual(["a"]);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error?.isGone()).toBe(true);
    expect(error?.message).toBe(
      "GET /api/v1/pods?watch=true → 410 Expired: too old resource version: 1 (5)",
    );
  });

  it("says the stream was cut when it ends in the middle of an event", async () => {
    const error = await collect([`${event("ADDED", "a")}\n{"type":"ADDED","obj`]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toBe(
      "GET /api/v1/pods?watch=true → watch stream ended in the middle of an event (20 bytes)",
    );
  });

  it("rejects lines that are not events", async () => {
    await expect(collect(["not json\n"])).rejects.toThrow(
      /watch sent a line that is not JSON: "not json"/,
    );
    await expect(collect(['{"type":"SURPRISE","object":{}}\n'])).rejects.toThrow(
      /watch sent something that is not an event/,
    );
  });

  it("reads no further than the consumer pulls (backpressure)", async () => {
    let produced = 0;
    const source = (async function* () {
      for (let i = 0; i < 1000; i++) {
        produced++;
        yield `${event("ADDED", String(i))}\n`;
      }
    })();
    const iterator = decodeWatch(source, request);
    await iterator.next();
    await iterator.next();
    expect(produced).toBe(2);
    await iterator.return(undefined);
  });

  it("refuses an event over maxEventBytes with a StreamError naming the limit, after the events before it", async () => {
    const big = event("ADDED", "x".repeat(200));
    const seen: string[] = [];
    const error = await (async () => {
      try {
        for await (const e of decodeWatch<{ metadata: { name: string } }>(
          (async function* () {
            yield `${event("ADDED", "a")}\n${big.slice(0, 100)}`;
            yield big.slice(100);
            yield "\n";
          })(),
          request,
          { maxEventBytes: 128 },
        ))
          seen.push(e.object.metadata.name);
      } catch (e) {
        return e;
      }
    })();
    expect(seen).toEqual(["a"]);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as Error).message).toBe(
      "GET /api/v1/pods?watch=true → watch event over 128 bytes (maxWatchEventBytes), refused",
    );
    // at the limit is fine, in one chunk or many
    const exact = event("ADDED", "y".repeat(100));
    const limit = { maxEventBytes: Buffer.byteLength(exact) };
    expect(await collect([`${exact}\n`], limit)).toHaveLength(1);
    expect(await collect(pieces(new TextEncoder().encode(`${exact}\n`), 7), limit)).toHaveLength(1);
    await expect(collect([exact], { maxEventBytes: limit.maxEventBytes - 1 })).rejects.toThrow(
      /watch event over/,
    );
  });

  it("refuses a line without a newline once it passes 16 MiB by default (client-go's limit)", async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let produced = 0;
    const source = (function* () {
      for (;;) {
        produced++;
        yield chunk;
      }
    })();
    await expect(collect(source)).rejects.toThrow(
      /watch event over 16777216 bytes \(maxWatchEventBytes\)/,
    );
    expect(produced).toBe(17);
  });

  it("decodes a long line cut into many small chunks in linear time", async () => {
    // 12 MiB in 4 KiB chunks: a decoder that re-joins or re-scans what it holds for every chunk
    // does ~3,000 passes over megabytes (tens of seconds); a linear one takes tens of milliseconds.
    // The bound below is two orders of magnitude above the linear cost, so load cannot fail it.
    const line = Buffer.from(`${event("ADDED", "z".repeat(12 * 1024 * 1024))}\n`);
    const started = performance.now();
    const events = await collect(pieces(line, 4096));
    expect(events[0]?.object.metadata.name).toHaveLength(12 * 1024 * 1024);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
