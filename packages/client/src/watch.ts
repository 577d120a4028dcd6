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

/** Waits `ms`, or less when `signal` aborts; leaves no listener on `signal` either way. */
const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (signal?.aborted) done();
    else signal?.addEventListener("abort", done, { once: true });
  });

/**
 * client-go's reflector: a watch that the server ended within a second without a single event is
 * "very short", and the next one waits 800 ms doubling to 30 s, with up to as much again of jitter
 * (`NewExponentialBackoffManager(800ms, 30s, 2m, 2.0, 1.0)`).
 */
const SHORT_WATCH_MS = 1_000;
const EMPTY_BACKOFF_MS = 800;
const EMPTY_BACKOFF_MAX_MS = 30_000;

/** Time for {@link watchResource}: replaced in tests. @internal */
export interface WatchTiming {
  now(): number;
  pause(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

const realTiming: WatchTiming = { now: () => performance.now(), pause, random: Math.random };

/**
 * A watch that keeps going: it tracks the resourceVersion of every event (bookmarks included) and,
 * when the server ends the stream (its timeout) or the connection drops, resumes from there. A 410
 * (the resume point is older than the server's history) is thrown as the transport's `KubeApiError`
 * with `isGone()` true: the caller must list again and watch from the list's resourceVersion.
 * A server that ends watches at once without an event is not asked again at once: the wait grows as
 * client-go's reflector's does, and goes back to its start after a watch that delivered something.
 * Ends when `signal` aborts.
 */
export async function* watchResource<T extends KubeObject>(
  transport: Transport,
  path: string,
  options: WatchOptions = {},
  timing: WatchTiming = realTiming,
): AsyncGenerator<WatchEvent<T>> {
  let resourceVersion = options.resourceVersion;
  let failures = 0;
  let emptyInARow = 0;
  const maxResumes = options.maxResumes ?? 10;
  while (!options.signal?.aborted) {
    const started = timing.now();
    let delivered = false;
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
        delivered = true;
        failures = 0;
        emptyInARow = 0;
        const version = event.object.metadata?.resourceVersion;
        if (version) resourceVersion = version;
        if (event.type !== "BOOKMARK" || options.emitBookmarks) yield event;
      }
      // The server closed the watch (its timeout): go on from the last version seen, at once
      // unless it was a very short watch that brought nothing.
      if (!delivered && timing.now() - started < SHORT_WATCH_MS) {
        const ceiling = Math.min(EMPTY_BACKOFF_MS * 2 ** emptyInARow++, EMPTY_BACKOFF_MAX_MS);
        await timing.pause(ceiling * (1 + timing.random()), options.signal);
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      const resumable = error instanceof ConnectionError || error instanceof StreamError;
      if (!resumable || ++failures > maxResumes) throw error;
      await timing.pause(Math.min(200 * 2 ** (failures - 1), 5_000), options.signal);
    }
  }
}
