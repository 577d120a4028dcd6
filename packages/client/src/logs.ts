import type { Transport } from "@kin/transport";
import type { CallOptions } from "./options.js";

/** Options of pod logs (`GET …/pods/<name>/log`). */
export interface LogOptions extends CallOptions {
  /** The container; required when the pod has more than one. */
  container?: string;
  /** Keep the stream open and send new lines as they are written. */
  follow?: boolean;
  /** The last N lines only. */
  tailLines?: number;
  /** Lines newer than this many seconds only. */
  sinceSeconds?: number;
  /** Lines since this RFC 3339 time only. */
  sinceTime?: string;
  /** Prefix each line with its RFC 3339 timestamp. */
  timestamps?: boolean;
  /** The logs of the previous (terminated) instance of the container. */
  previous?: boolean;
  /** At most this many bytes. */
  limitBytes?: number;
}

const logQuery = (o: LogOptions = {}) => ({
  container: o.container,
  follow: o.follow ? true : undefined,
  tailLines: o.tailLines,
  sinceSeconds: o.sinceSeconds,
  sinceTime: o.sinceTime,
  timestamps: o.timestamps ? true : undefined,
  previous: o.previous ? true : undefined,
  limitBytes: o.limitBytes,
});

const openLog = (transport: Transport, path: string, options?: LogOptions) =>
  transport.stream({
    path,
    query: logQuery(options),
    signal: options?.signal,
    timeoutMs: options?.timeoutMs,
  });

/** The whole log as text. */
export async function logText(
  transport: Transport,
  path: string,
  options?: LogOptions,
): Promise<string> {
  let text = "";
  for await (const chunk of decodeText(await openLog(transport, path, options))) text += chunk;
  return text;
}

/** UTF-8 text of a byte stream, correct across chunk boundaries. */
async function* decodeText(body: AsyncIterable<unknown>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  for await (const chunk of body) yield decoder.decode(chunk as Uint8Array, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** The log line by line (without the newline), as it arrives; with `follow`, until the container stops or the signal aborts. */
export async function* logLines(
  transport: Transport,
  path: string,
  options?: LogOptions,
): AsyncGenerator<string> {
  const body = await openLog(transport, path, options);
  let pending = "";
  try {
    for await (const text of decodeText(body)) {
      const lines = (pending + text).split("\n");
      pending = lines.pop() ?? "";
      yield* lines;
    }
  } catch (error) {
    if (options?.signal?.aborted) return;
    throw error;
  } finally {
    body.destroy();
  }
  if (pending !== "") yield pending;
}
