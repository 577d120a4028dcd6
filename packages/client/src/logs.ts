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

/** The whole log as text. */
export async function logText(
  transport: Transport,
  path: string,
  options?: LogOptions,
): Promise<string> {
  const body = await transport.stream({
    path,
    query: logQuery(options),
    signal: options?.signal,
    timeoutMs: options?.timeoutMs,
  });
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of body) text += decoder.decode(chunk as Uint8Array, { stream: true });
  return text + decoder.decode();
}

/** The log line by line (without the newline), as it arrives; with `follow`, until the container stops or the signal aborts. */
export async function* logLines(
  transport: Transport,
  path: string,
  options?: LogOptions,
): AsyncGenerator<string> {
  const body = await transport.stream({
    path,
    query: logQuery(options),
    signal: options?.signal,
    timeoutMs: options?.timeoutMs,
  });
  const decoder = new TextDecoder();
  let pending = "";
  try {
    for await (const chunk of body) {
      pending += decoder.decode(chunk as Uint8Array, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      yield* lines;
    }
  } catch (error) {
    if (options?.signal?.aborted) return;
    throw error;
  } finally {
    body.destroy();
  }
  pending += decoder.decode();
  if (pending !== "") yield pending;
}
