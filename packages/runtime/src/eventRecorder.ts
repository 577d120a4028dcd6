import { hostname } from "node:os";
import {
  type Client,
  KubeApiError,
  type KubeObject,
  mergePatch,
  type ResourceApi,
  TransportError,
} from "@kin/client";
import {
  type EventsV1Event,
  EventsV1Event as EventsV1EventKind,
  type ObjectReference,
} from "@kin/resources";
import { microTime } from "./microTime.js";
import { sleep } from "./sleep.js";

/** Options of {@link createEventRecorder}. */
export interface EventRecorderOptions {
  /** `reportingController`: who records, e.g. `example.com/config-mirror`. */
  controller: string;
  /** `reportingInstance`. Default `<controller>-<hostname>` (client-go's). */
  instance?: string;
  /** Stops the recorder's timers (and writes pending series counts once) when it aborts. */
  signal?: AbortSignal;
  /** Told about events that could not be written. Default: a process warning. */
  onError?: (error: unknown) => void;
  /** Pause between attempts after a connection failure (12 attempts in all, client-go's). Default 10 000 ms. */
  retryDelayMs?: number;
}

/** One event about an object. */
export interface EventDetails {
  type: "Normal" | "Warning";
  /** Why, in UpperCamelCase (`Synced`, `FailedCreate`); at most 128 characters. */
  reason: string;
  /** What was done or failed (`Mirror`, `Create`); at most 128 characters. */
  action: string;
  /** A human-readable description; cut to 1 kB (the server's limit). */
  note?: string;
  /** A second object involved. */
  related?: KubeObject;
}

/** Records `events.k8s.io/v1` Events, as client-go's `tools/events` recorder. */
export interface EventRecorder {
  /**
   * Records an event about `regarding`. Repeats of the same event (same type, reason, action,
   * regarding and related objects) within 6 minutes become one Event with a `series` whose count
   * goes up. Never throws for the server's sake: failures go to `onError`. Resolves once written (or
   * given up).
   * @throws {TypeError} when `regarding` lacks apiVersion, kind or name.
   */
  record(regarding: KubeObject, details: EventDetails): Promise<void>;
  /** Writes pending series counts and stops the timers. */
  close(): Promise<void>;
}

/** client-go tools/events: a series ends after 6 minutes without a repeat; counts are written every 30. */
const FINISH_MS = 6 * 60_000;
const REFRESH_MS = 30 * 60_000;
const MAX_TRIES = 12;
/** The API server refuses longer notes (events.k8s.io/v1 validation: 1 kB). */
const NOTE_LIMIT = 1024;

/** `text` cut to at most `limit` UTF-8 bytes, on a character boundary. */
function truncate(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  let cut = text.slice(0, limit);
  while (Buffer.byteLength(cut) > limit) cut = cut.slice(0, -1);
  return cut;
}

function referenceTo(object: KubeObject, what: string): ObjectReference {
  const { apiVersion, kind } = object;
  const name = object.metadata?.name;
  for (const [field, value] of Object.entries({ apiVersion, kind, "metadata.name": name }))
    if (!value) throw new TypeError(`event recorder: the ${what} object has no ${field}`);
  return {
    apiVersion,
    kind,
    name,
    ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
    ...(object.metadata?.uid ? { uid: object.metadata.uid } : {}),
    ...(object.metadata?.resourceVersion
      ? { resourceVersion: object.metadata.resourceVersion }
      : {}),
  };
}

interface Cached {
  event: EventsV1Event;
  /** Last time the event happened, for the end of its series. */
  last: number;
  /** The series count not yet written. */
  dirty: boolean;
}

/**
 * An event recorder writing `events.k8s.io/v1` Events in the regarding object's namespace (`default`
 * for cluster-scoped objects), named `<name>.<hex time>` as client-go names them.
 */
export function createEventRecorder(client: Client, options: EventRecorderOptions): EventRecorder {
  if (!options.controller) throw new TypeError("event recorder: controller must not be empty");
  const instance = options.instance ?? `${options.controller}-${hostname()}`;
  const retryDelayMs = options.retryDelayMs ?? 10_000;
  const cache = new Map<string, Cached>();
  const apis = new Map<string, ResourceApi<EventsV1Event>>();
  const stop = new AbortController();
  const api = (namespace: string) => {
    let found = apis.get(namespace);
    if (!found) {
      found = client.api(EventsV1EventKind, { namespace });
      apis.set(namespace, found);
    }
    return found;
  };
  const report = (error: unknown) => {
    if (options.onError) {
      options.onError(error);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.emitWarning(`event recorder ${options.controller}: ${message}`, {
      code: "KIN_RUNTIME_EVENTS",
    });
  };

  /** client-go's `recordEvent` with `attemptRecording`'s retries. */
  const write = async (event: EventsV1Event): Promise<EventsV1Event | undefined> => {
    const namespace = event.metadata?.namespace as string;
    const name = event.metadata?.name as string;
    for (let attempt = 1; ; attempt++) {
      try {
        if (event.series) {
          try {
            return await api(namespace).patch(
              name,
              mergePatch<EventsV1Event>({ series: event.series }),
            );
          } catch (error) {
            if (!(error instanceof KubeApiError && error.isNotFound())) throw error;
          }
        }
        const { metadata, ...rest } = event;
        return await api(namespace).create({
          ...rest,
          metadata: { name, namespace },
        } as EventsV1Event);
      } catch (error) {
        const retry =
          (error instanceof TransportError && !(error instanceof KubeApiError)) ||
          (error instanceof KubeApiError && error.isAlreadyExists() && event.series !== undefined);
        if (!retry || attempt >= MAX_TRIES || stop.signal.aborted) {
          if (!(error instanceof KubeApiError && error.isAlreadyExists())) report(error);
          return undefined;
        }
        await sleep(retryDelayMs * (1 + Math.random() * 0.25), stop.signal);
      }
    }
  };

  const finishSeries = async () => {
    const t = performance.now();
    for (const [key, cached] of cache) {
      if (t - cached.last < FINISH_MS) continue;
      cache.delete(key);
      if (cached.event.series && cached.dirty) await write(cached.event);
    }
  };
  const refresh = async () => {
    for (const cached of cache.values())
      if (cached.event.series && cached.dirty) {
        cached.dirty = false;
        await write(cached.event);
      }
  };
  const finishTimer = setInterval(() => void finishSeries(), FINISH_MS);
  const refreshTimer = setInterval(() => void refresh(), REFRESH_MS);
  finishTimer.unref();
  refreshTimer.unref();

  const close = async () => {
    if (stop.signal.aborted) return;
    clearInterval(finishTimer);
    clearInterval(refreshTimer);
    const pending = [...cache.values()].filter((cached) => cached.event.series && cached.dirty);
    cache.clear();
    await Promise.all(pending.map((cached) => write(cached.event)));
    stop.abort();
  };
  options.signal?.addEventListener("abort", () => void close(), { once: true });

  return {
    async record(regarding, details) {
      const reference = referenceTo(regarding, "regarding");
      const related = details.related ? referenceTo(details.related, "related") : undefined;
      if (stop.signal.aborted) return;
      const key = JSON.stringify([
        details.type,
        details.action,
        details.reason,
        reference,
        related ?? null,
      ]);
      const t = performance.now();
      const cached = cache.get(key);
      if (cached) {
        cached.last = t;
        const series = cached.event.series;
        if (series) {
          // Later repeats are counted here and written by the refresh or at the end of the series.
          series.count += 1;
          series.lastObservedTime = microTime();
          cached.dirty = true;
          return;
        }
        cached.event.series = { count: 2, lastObservedTime: microTime() };
        await write(cached.event);
        return;
      }
      const now = new Date();
      const event: EventsV1Event = {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: {
          name: `${reference.name}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`,
          namespace: reference.namespace ?? "default",
        },
        eventTime: microTime(now),
        reportingController: options.controller,
        reportingInstance: instance,
        action: details.action,
        reason: details.reason,
        regarding: reference,
        ...(related ? { related } : {}),
        note: truncate(details.note ?? "", NOTE_LIMIT),
        type: details.type,
      };
      cache.set(key, { event, last: t, dirty: false });
      await write(event);
    },
    close,
  };
}
