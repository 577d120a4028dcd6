import type { KubeObject, WatchEvent } from "@kin/resources";
import { ConnectionError, StreamError, type Transport } from "@kin/transport";
import type { CallOptions } from "./options.js";

/** Options of {@link ResourceApi.watch}. */
export interface WatchOptions extends CallOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Where to start: a resourceVersion from a list (events after it), `"0"` (any cached state, as
   * ADDED events, then changes), or absent (the current state as ADDED events, then changes).
   */
  resourceVersion?: string;
  /** Ask for BOOKMARK events (default true): they advance the resume point without an object change. */
  allowBookmarks?: boolean;
  /** Yield BOOKMARK events to the caller too. Default false: they only move the resume point. */
  emitBookmarks?: boolean;
  /** Server-side timeout of each watch request in seconds; the watch resumes after it. Default: the server's. */
  timeoutSeconds?: number;
  /** How many times in a row a dropped connection is resumed before giving up. Default 10. */
  maxResumes?: number;
}

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * A watch that keeps going: it tracks the resourceVersion of every event (bookmarks included) and,
 * when the server ends the stream (its timeout) or the connection drops, resumes from there. A 410
 * (the resume point is older than the server's history) is thrown as the transport's `KubeApiError`
 * with `isGone()` true: the caller must list again and watch from the list's resourceVersion.
 * Ends when `signal` aborts.
 */
export async function* watchResource<T extends KubeObject>(
  transport: Transport,
  path: string,
  options: WatchOptions = {},
): AsyncGenerator<WatchEvent<T>> {
  let resourceVersion = options.resourceVersion;
  let failures = 0;
  const maxResumes = options.maxResumes ?? 10;
  while (!options.signal?.aborted) {
    try {
      const events = transport.watch<T>({
        path,
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          resourceVersion,
          allowWatchBookmarks: options.allowBookmarks ?? true,
          timeoutSeconds: options.timeoutSeconds,
        },
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      });
      for await (const event of events) {
        failures = 0;
        const version = event.object.metadata?.resourceVersion;
        if (version) resourceVersion = version;
        if (event.type !== "BOOKMARK" || options.emitBookmarks) yield event;
      }
      // The server closed the watch (its timeout): go on from the last version seen.
    } catch (error) {
      if (options.signal?.aborted) return;
      const resumable = error instanceof ConnectionError || error instanceof StreamError;
      if (!resumable || ++failures > maxResumes) throw error;
      await pause(Math.min(200 * 2 ** (failures - 1), 5_000), options.signal);
    }
  }
}
