import {
  type Client,
  KubeApiError,
  type KubeObject,
  type NamespaceOption,
  type ResourceApi,
  type ResourceDescriptor,
  TransportError,
  type WatchEvent,
} from "@kin/client";
import { resourcePath } from "@kin/resources";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { InvalidStateError } from "./errors.js";
import { deepFreeze } from "./freeze.js";
import type { EventHandler, HandlerOptions, HandlerRegistration } from "./handlers.js";
import { objectKey } from "./keys.js";
import { sleep } from "./sleep.js";
import { createStore, type IndexFunc, type Store } from "./store.js";
import { DeletedFinalStateUnknown } from "./tombstone.js";

/** Options of {@link createInformer}. */
export interface InformerOptions<T extends KubeObject> {
  /** The namespace of a namespaced kind. Default: the client's namespace (as `client.api`). */
  namespace?: string;
  /** Watch every namespace of a namespaced kind. */
  allNamespaces?: boolean;
  /** Only objects matching this label selector (e.g. `app=web`). */
  labelSelector?: string;
  /** Only objects matching this field selector (e.g. `spec.nodeName=node-1`). */
  fieldSelector?: string;
  /**
   * Call every handler's `onUpdate(object, object)` for every cached object this often (0: never),
   * unless the handler asks for its own period. Default 0.
   */
  resyncMs?: number;
  /**
   * Applied to every object before it is cached or handed to a handler, as client-go's
   * `SetTransform` (e.g. {@link stripManagedFields}). It may change and return its argument.
   */
  transform?: (object: T) => T;
  /** Indexes of the store, e.g. `{ node: byNode }`. */
  indexers?: Record<string, IndexFunc<T>>;
  /**
   * Start with a watch-list (`sendInitialEvents=true`, the initial state streamed as events and ended
   * by the `k8s.io/initial-events-end` bookmark) instead of a list. When the server refuses it (422,
   * as kube-apiserver without the `WatchList` feature gate does), the informer lists and does not try
   * again. Default false, as client-go 1.28 (where it is alpha and opt-in).
   */
  watchList?: boolean;
  /** Backoff after a failed list or watch. Default: client-go's reflector (800 ms doubling to 30 s, jitter 1, reset after 2 min). */
  backoff?: BackoffOptions;
  /**
   * Each watch request asks the server to end it after a random time between this many seconds and
   * twice as many (the watch then resumes from the last resourceVersion), so load spreads across API
   * servers. Default 300 (client-go's `minWatchTimeout`).
   */
  minWatchTimeoutSeconds?: number;
  /** Page size of a list that reads from etcd (resourceVersion ""); 0 lists in one request. Default 500. */
  pageSize?: number;
  /**
   * Told about every failure the informer recovers from by itself (lists and watches that failed, a
   * handler that threw). Default: a process warning. 410 Gone is expected and not reported.
   */
  onError?: (error: unknown) => void;
}

/** Counters of what an informer did, for metrics and tests. */
export interface InformerStats {
  /** List requests (every page counts once per list). */
  lists: number;
  /** Watch-list requests (`sendInitialEvents=true`). */
  watchLists: number;
  /** Watches the informer started (the client's own resumptions when the server ends a watch at its timeout are not counted). */
  watches: number;
  /** Lists and watch-lists after the first sync: each one replaced the store. */
  relists: number;
  /** ADDED, MODIFIED and DELETED events applied from watches. */
  events: number;
  /** Failures reported to `onError`. */
  failures: number;
  /** `false` once the server refused a watch-list. */
  watchListSupported: boolean;
}

/** A cache of one kind that keeps itself up to date by list and watch, as client-go's shared informer. */
export interface Informer<T extends KubeObject> {
  readonly descriptor: ResourceDescriptor<T>;
  /** The namespace watched; `undefined` for cluster-scoped kinds and all namespaces. */
  readonly namespace: string | undefined;
  readonly labelSelector: string | undefined;
  readonly fieldSelector: string | undefined;
  /** The cache. Frozen objects; complete once `hasSynced()`. */
  readonly store: Store<T>;
  /** The resourceVersion the cache is at (of the last list, event or bookmark). */
  readonly lastSyncResourceVersion: string | undefined;
  readonly stats: Readonly<InformerStats>;
  /** True while `run` is running. */
  readonly running: boolean;
  /**
   * Adds a handler. A handler added after the first sync is told about every cached object at once
   * (`onAdd(object, true)`), so late consumers miss nothing.
   */
  addHandler(handler: EventHandler<T>, options?: HandlerOptions): HandlerRegistration;
  /** Adds indexes to the store; cached objects are indexed at once. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void;
  /**
   * Lists and watches until `signal` aborts; resolves once the watch is closed. Failures are retried
   * with backoff, never thrown. @throws {Error} when already running.
   */
  run(signal: AbortSignal): Promise<void>;
  /** True once the first list (or watch-list) is in the store and every handler was told about it. */
  hasSynced(): boolean;
  /** Resolves `true` once synced, or `false` if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean>;
}

const INITIAL_EVENTS_END = "k8s.io/initial-events-end";
const MIN_RESYNC_MS = 1_000;

/** A 410: the resourceVersion is older than the server's history. */
const isExpired = (error: unknown) => error instanceof KubeApiError && error.isGone();

/** The server has not reached the resourceVersion asked for (`ResourceVersionTooLarge`). */
function isTooLargeResourceVersion(error: unknown): boolean {
  if (!(error instanceof KubeApiError)) return false;
  const causes = error.status.details?.causes ?? [];
  if (causes.some((cause) => cause.reason === "ResourceVersionTooLarge")) return true;
  return (
    error.isTimeout() &&
    (causes.some((cause) => cause.message === "Too large resource version") ||
      (error.status.message ?? "").includes("Too large resource version"))
  );
}

/** No answer, or a stream that broke: worth a retry of the same thing after a pause. */
const isConnectionFailure = (error: unknown) =>
  error instanceof TransportError && !(error instanceof KubeApiError);

const resourceVersionOf = (object: KubeObject | undefined) => object?.metadata?.resourceVersion;

interface Listener<T extends KubeObject> {
  handler: EventHandler<T>;
  resyncMs: number;
  nextResync: number;
  removed: boolean;
}

type Notification<T extends KubeObject> =
  | { type: "add"; object: T; initial: boolean }
  | { type: "update"; old: T; object: T }
  | { type: "delete"; object: T | DeletedFinalStateUnknown<T> };

/**
 * An informer of `descriptor`'s objects (typed, custom, or found through `client.discovery`): it lists
 * (or watch-lists), then watches from the list's resourceVersion with bookmarks, resumes from the last
 * resourceVersion after a dropped connection or a watch timeout, and on 410 lists again, replacing
 * the cache and telling handlers exactly what changed in between (adds, updates, and deletes with a
 * {@link DeletedFinalStateUnknown}). Call `run(signal)` to start it.
 */
export function createInformer<T extends KubeObject>(
  client: Client,
  descriptor: ResourceDescriptor<T>,
  options: InformerOptions<T> = {},
): Informer<T> {
  const where: NamespaceOption | undefined = options.allNamespaces
    ? { allNamespaces: true }
    : options.namespace !== undefined
      ? { namespace: options.namespace }
      : undefined;
  const api = (client.api as (d: ResourceDescriptor<T>, w?: NamespaceOption) => ResourceApi<T>)(
    descriptor,
    descriptor.namespaced ? where : undefined,
  );
  if (!descriptor.namespaced && where !== undefined)
    throw new TypeError(
      `${descriptor.plural}.${descriptor.group || "core"} are cluster-scoped: they have no namespace`,
    );
  const path = resourcePath(descriptor, api.namespace);
  const { labelSelector, fieldSelector } = options;
  const pageSize = options.pageSize ?? 500;
  const minWatchTimeout = options.minWatchTimeoutSeconds ?? 300;
  const defaultResync = options.resyncMs ?? 0;
  const useWatchList = options.watchList ?? false;
  if (!Number.isInteger(pageSize) || pageSize < 0)
    throw new RangeError(`informer pageSize must be an integer ≥ 0, got ${pageSize}`);
  if (!(minWatchTimeout > 0))
    throw new RangeError(`informer minWatchTimeoutSeconds must be > 0, got ${minWatchTimeout}`);
  const what = `${descriptor.plural}${descriptor.group ? `.${descriptor.group}` : ""} ${
    api.namespace === undefined
      ? descriptor.namespaced
        ? "in all namespaces"
        : "(cluster)"
      : `in ${api.namespace}`
  }${labelSelector ? ` -l ${labelSelector}` : ""}${fieldSelector ? ` --field-selector ${fieldSelector}` : ""}`;

  const store = createStore<T>({ indexers: options.indexers });
  const listeners: Listener<T>[] = [];
  const stats: InformerStats = {
    lists: 0,
    watchLists: 0,
    watches: 0,
    relists: 0,
    events: 0,
    failures: 0,
    watchListSupported: true,
  };
  let lastSyncResourceVersion: string | undefined;
  let resourceVersionUnavailable = false;
  let synced = false;
  let running = false;
  const syncWaiters = new Set<() => void>();
  let resyncTimer: ReturnType<typeof setInterval> | undefined;

  const report = (error: unknown) => {
    stats.failures++;
    if (options.onError) {
      options.onError(error);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.emitWarning(`informer of ${what}: ${message}`, { code: "KIN_RUNTIME_INFORMER" });
  };

  /** Items of a list carry no apiVersion and kind: put them back, then the caller's transform. */
  const prepare = (raw: T): T => {
    const object =
      raw.apiVersion === undefined || raw.kind === undefined
        ? { ...raw, apiVersion: descriptor.apiVersion, kind: descriptor.kind }
        : raw;
    return options.transform ? options.transform(object) : object;
  };

  const notify = (listener: Listener<T>, note: Notification<T>) => {
    if (listener.removed) return;
    const { handler } = listener;
    try {
      if (note.type === "add") handler.onAdd?.(note.object, note.initial);
      else if (note.type === "update") handler.onUpdate?.(note.old, note.object);
      else handler.onDelete?.(note.object);
    } catch (error) {
      report(error);
    }
  };
  const distribute = (notes: Notification<T>[]) => {
    if (notes.length === 0) return;
    for (const listener of [...listeners]) for (const note of notes) notify(listener, note);
  };

  const markSynced = () => {
    if (synced) return;
    synced = true;
    for (const resolve of syncWaiters) resolve();
    syncWaiters.clear();
  };

  /** Replaces the cache with a complete list and tells handlers the difference. */
  const replace = (entries: Map<string, T>) => {
    const initial = !synced;
    const notes: Notification<T>[] = [];
    for (const [key, object] of entries) {
      const before = store.get(key);
      if (before === undefined) notes.push({ type: "add", object, initial });
      else if (before.metadata?.uid !== object.metadata?.uid) {
        // Deleted and created again while we were not watching.
        notes.push({ type: "delete", object: new DeletedFinalStateUnknown(key, before) });
        notes.push({ type: "add", object, initial });
      } else if (resourceVersionOf(before) !== resourceVersionOf(object))
        notes.push({ type: "update", old: before, object });
    }
    for (const key of store.keys()) {
      if (entries.has(key)) continue;
      notes.push({
        type: "delete",
        object: new DeletedFinalStateUnknown(key, store.get(key) as T),
      });
    }
    if (!initial) stats.relists++;
    store.replace(entries);
    distribute(notes);
    markSynced();
  };

  /** Applies one watch event to the cache and tells handlers. */
  const apply = (event: WatchEvent<T>) => {
    const version = resourceVersionOf(event.object);
    if (event.type !== "BOOKMARK") {
      stats.events++;
      const object = prepare(event.object);
      const key = objectKey(object);
      if (event.type === "DELETED") {
        store.delete(key);
        distribute([{ type: "delete", object: deepFreeze(object) }]);
      } else {
        const before = store.set(key, object);
        if (before === undefined) distribute([{ type: "add", object, initial: false }]);
        else if (before.metadata?.uid !== object.metadata?.uid)
          distribute([
            { type: "delete", object: new DeletedFinalStateUnknown(key, before) },
            { type: "add", object, initial: false },
          ]);
        else distribute([{ type: "update", old: before, object }]);
      }
    }
    if (version) lastSyncResourceVersion = version;
  };

  const watchTimeoutSeconds = () => Math.floor(minWatchTimeout * (1 + Math.random()));

  /** One list, page by page from etcd or whole from the watch cache, as client-go's pager. */
  const listOnce = async (resourceVersion: string, signal: AbortSignal) => {
    stats.lists++;
    const base = {
      labelSelector,
      fieldSelector,
      signal,
      resourceVersion: resourceVersion === "" ? undefined : resourceVersion,
    };
    const paged = pageSize > 0 && (resourceVersion === "" || resourceVersion === "0");
    const first = await api.list(paged ? { ...base, limit: pageSize } : base);
    const items = [...first.items];
    let token = first.metadata.continue || undefined;
    while (token) {
      let page: Awaited<ReturnType<typeof api.list>>;
      try {
        page = await api.list({
          labelSelector,
          fieldSelector,
          signal,
          limit: pageSize,
          continue: token,
        });
      } catch (error) {
        if (!(error instanceof KubeApiError && error.reason === "Expired")) throw error;
        // The first page's version was compacted mid-way: one full list instead (FullListIfExpired).
        const full = await api.list(base);
        return { items: full.items, resourceVersion: full.metadata.resourceVersion };
      }
      items.push(...page.items);
      token = page.metadata.continue || undefined;
    }
    return { items, resourceVersion: first.metadata.resourceVersion };
  };

  const list = async (signal: AbortSignal) => {
    const resourceVersion = resourceVersionUnavailable ? "" : (lastSyncResourceVersion ?? "0");
    let result: Awaited<ReturnType<typeof listOnce>>;
    try {
      result = await listOnce(resourceVersion, signal);
    } catch (error) {
      if (!(isExpired(error) || isTooLargeResourceVersion(error))) throw error;
      resourceVersionUnavailable = true;
      result = await listOnce("", signal);
    }
    resourceVersionUnavailable = false;
    const entries = new Map<string, T>();
    for (const item of result.items) {
      const object = prepare(item);
      entries.set(objectKey(object), object);
    }
    replace(entries);
    lastSyncResourceVersion = result.resourceVersion;
  };

  /**
   * The initial state as a watch-list; returns the open watch, positioned after the initial events,
   * or `undefined` when `signal` aborted. Throws the server's 422 when it does not support it.
   */
  const watchList = async (
    signal: AbortSignal,
    backoff: Backoff,
  ): Promise<AsyncIterator<WatchEvent<T>> | undefined> => {
    while (!signal.aborted) {
      const resourceVersion = resourceVersionUnavailable ? "" : (lastSyncResourceVersion ?? "");
      stats.watchLists++;
      const stream = client.transport
        .watch<T>({
          path,
          query: {
            sendInitialEvents: true,
            resourceVersionMatch: "NotOlderThan",
            allowWatchBookmarks: true,
            resourceVersion: resourceVersion === "" ? undefined : resourceVersion,
            timeoutSeconds: watchTimeoutSeconds(),
            labelSelector,
            fieldSelector,
          },
          signal,
        })
        [Symbol.asyncIterator]();
      const entries = new Map<string, T>();
      let version: string | undefined;
      let complete = false;
      try {
        for (;;) {
          const next = await stream.next();
          if (next.done) break;
          const event = next.value;
          version = resourceVersionOf(event.object) ?? version;
          if (event.type === "BOOKMARK") {
            if (event.object.metadata?.annotations?.[INITIAL_EVENTS_END] !== undefined) {
              complete = true;
              break;
            }
            continue;
          }
          const object = prepare(event.object);
          if (event.type === "DELETED") entries.delete(objectKey(object));
          else entries.set(objectKey(object), object);
        }
      } catch (error) {
        if (signal.aborted) return undefined;
        if (isExpired(error) || isTooLargeResourceVersion(error)) {
          resourceVersionUnavailable = true;
          continue;
        }
        if (
          isConnectionFailure(error) ||
          (error instanceof KubeApiError && error.isTooManyRequests())
        ) {
          report(error);
          await sleep(backoff.next(), signal);
          continue;
        }
        throw error;
      }
      if (!complete) {
        // Ended before the initial events did: start over.
        await stream.return?.(undefined);
        if (!signal.aborted) await sleep(backoff.next(), signal);
        continue;
      }
      resourceVersionUnavailable = false;
      replace(entries);
      lastSyncResourceVersion = version;
      return stream;
    }
    return undefined;
  };

  /**
   * Watches from the last resourceVersion; returns when a relist is due (410). The client's watch
   * resumes by itself when the server ends a watch (its timeout); a dropped connection comes back
   * here (`maxResumes: 0`), as in client-go's reflector: a watch that was delivering is started again
   * at once from the last resourceVersion, one that failed to get going waits out the backoff.
   */
  const watch = async (
    initial: AsyncIterator<WatchEvent<T>> | undefined,
    signal: AbortSignal,
    backoff: Backoff,
  ) => {
    let stream = initial;
    let delivering = stream !== undefined;
    while (!signal.aborted) {
      if (!stream) {
        stats.watches++;
        delivering = false;
        stream = api
          .watch({
            resourceVersion: lastSyncResourceVersion,
            labelSelector,
            fieldSelector,
            allowBookmarks: true,
            emitBookmarks: true,
            timeoutSeconds: watchTimeoutSeconds(),
            maxResumes: 0,
            signal,
          })
          [Symbol.asyncIterator]();
      }
      try {
        for (;;) {
          const next = await stream.next();
          if (next.done) break;
          delivering = true;
          apply(next.value);
        }
        stream = undefined; // the watch-list's stream ended (its timeout): go on with a resuming watch
      } catch (error) {
        stream = undefined;
        if (signal.aborted) return;
        if (isExpired(error)) return;
        if (isConnectionFailure(error) && delivering) continue;
        if (
          isConnectionFailure(error) ||
          (error instanceof KubeApiError && error.isTooManyRequests())
        ) {
          report(error);
          await sleep(backoff.next(), signal);
          continue;
        }
        throw error;
      }
    }
  };

  const listAndWatch = async (signal: AbortSignal, backoff: Backoff) => {
    let stream: AsyncIterator<WatchEvent<T>> | undefined;
    if (useWatchList && stats.watchListSupported) {
      try {
        stream = await watchList(signal, backoff);
        if (!stream) return;
      } catch (error) {
        if (!(error instanceof KubeApiError && error.isInvalid())) throw error;
        stats.watchListSupported = false;
      }
    }
    if (!stream) await list(signal);
    await watch(stream, signal, backoff);
  };

  const resyncPeriod = () => {
    let period = 0;
    for (const listener of listeners)
      if (listener.resyncMs > 0 && (period === 0 || listener.resyncMs < period))
        period = listener.resyncMs;
    return period;
  };
  const resync = () => {
    if (!synced) return;
    const now = performance.now();
    for (const listener of [...listeners]) {
      if (listener.resyncMs === 0 || now < listener.nextResync) continue;
      listener.nextResync = now + listener.resyncMs;
      for (const object of store.list()) notify(listener, { type: "update", old: object, object });
    }
  };
  const scheduleResync = () => {
    if (resyncTimer) clearInterval(resyncTimer);
    resyncTimer = undefined;
    const period = resyncPeriod();
    if (running && period > 0) resyncTimer = setInterval(resync, period);
  };

  const informer: Informer<T> = {
    descriptor,
    namespace: api.namespace,
    labelSelector,
    fieldSelector,
    store: store.reader,
    get lastSyncResourceVersion() {
      return lastSyncResourceVersion;
    },
    stats,
    get running() {
      return running;
    },
    addHandler(handler, handlerOptions = {}) {
      const requested = handlerOptions.resyncMs ?? defaultResync;
      if (!Number.isFinite(requested) || requested < 0)
        throw new RangeError(`resyncMs must be a finite number ≥ 0, got ${requested}`);
      const resyncMs = requested > 0 ? Math.max(requested, MIN_RESYNC_MS) : 0;
      const listener: Listener<T> = {
        handler,
        resyncMs,
        nextResync: performance.now() + resyncMs,
        removed: false,
      };
      listeners.push(listener);
      if (synced)
        for (const object of store.list()) notify(listener, { type: "add", object, initial: true });
      scheduleResync();
      return {
        hasSynced: () => synced && !listener.removed,
        remove: () => {
          listener.removed = true;
          const index = listeners.indexOf(listener);
          if (index !== -1) listeners.splice(index, 1);
          scheduleResync();
        },
      };
    },
    addIndexers: (indexers) => store.addIndexers(indexers),
    async run(signal) {
      if (running) throw new InvalidStateError(`the informer of ${what} is already running`);
      running = true;
      scheduleResync();
      const backoff = new Backoff(options.backoff);
      try {
        while (!signal.aborted) {
          try {
            await listAndWatch(signal, backoff);
          } catch (error) {
            if (signal.aborted) break;
            report(error);
          }
          if (signal.aborted) break;
          await sleep(backoff.next(), signal);
        }
      } finally {
        running = false;
        scheduleResync();
      }
    },
    hasSynced: () => synced,
    waitForSync(signal) {
      if (synced) return Promise.resolve(true);
      if (signal?.aborted) return Promise.resolve(false);
      return new Promise((resolve) => {
        const done = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(true);
        };
        const onAbort = () => {
          syncWaiters.delete(done);
          resolve(false);
        };
        syncWaiters.add(done);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
  return informer;
}
