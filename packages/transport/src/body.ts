import type { Readable } from "node:stream";

/** A body read up to a limit: its first bytes, and whether that was all of it. */
export interface LimitedBody {
  readonly bytes: Buffer;
  /** False when the body went on past the limit: reading stopped there and the stream was destroyed. */
  readonly complete: boolean;
}

/**
 * Reads `body` to its end, or to `limit` bytes: then stops, destroys the stream (so the rest is
 * never read, and its connection is not reused) and keeps the first `limit` bytes.
 */
export function readAtMost(body: Readable, limit: number): Promise<LimitedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("error", onError);
    };
    const onData = (data: Uint8Array) => {
      const chunk = Buffer.isBuffer(data)
        ? data
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      if (size + chunk.length > limit) {
        chunks.push(chunk.subarray(0, limit - size));
        size = limit;
        done();
        abandon(body);
        resolve({ bytes: Buffer.concat(chunks, size), complete: false });
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    };
    const onEnd = () => {
      done();
      resolve({
        bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size),
        complete: true,
      });
    };
    const onError = (error: unknown) => {
      done();
      reject(error);
    };
    body.on("data", onData);
    body.on("end", onEnd);
    body.on("error", onError);
  });
}

/** Destroys a body not to be read further; undici reports that as an error nobody needs to hear. */
export function abandon(body: Readable): void {
  body.on("error", () => {});
  body.destroy();
}

/** The `Content-Length` an answer declares, when it declares a valid one. */
export function declaredLength(
  headers: Record<string, string | string[] | undefined>,
): number | undefined {
  const value = headers["content-length"];
  const text = Array.isArray(value) ? value[0] : value;
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** UTF-8 text of a body (a leading byte-order mark dropped, as `fetch`'s `text()` does). */
export function utf8(bytes: Buffer): string {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return bytes.toString("utf8", bom ? 3 : 0);
}
