// Watch fan-out: one subscription to the store, watchers grouped by resource, each change encoded
// at most once per event shape and the same bytes handed to every watcher that wants them
// (as the cacher's dispatchEvents does), so many watchers cost little.
import type { KubeObject } from "@kin/resources";
import * as status from "../http/status.js";
import type { Change, ObjectStore } from "./store.js";

export interface WatchRequest {
  /** Resource key (`group/version/plural`). */
  resource: string;
  /** Only objects of this namespace (all when `undefined`). */
  namespace: string | undefined;
  /** Label and field selectors together; `undefined` selects everything. */
  predicate: ((object: KubeObject) => boolean) | undefined;
  /** apiVersion/kind of BOOKMARK objects. */
  apiVersion: string;
  kind: string;
  /** Objects to send as synthetic ADDED first (resourceVersion "", "0", or sendInitialEvents). */
  initial: KubeObject[] | undefined;
  /** After the initial events, a BOOKMARK annotated `k8s.io/initial-events-end` (watch-list). */
  initialEventsEnd: boolean;
  /** Replay the changes after this revision (`undefined`: none, start now). */
  since: number | undefined;
  /** Send BOOKMARK events (`allowWatchBookmarks=true`). */
  bookmarks: boolean;
  /** Ends the watch after this long (`timeoutSeconds`). */
  timeoutMs: number | undefined;
}

interface Watcher {
  request: WatchRequest;
  controller: ReadableStreamDefaultController<Uint8Array>;
  closed: boolean;
  timers: ReturnType<typeof setTimeout>[];
}

const encoder = new TextEncoder();
const frame = (type: string, object: unknown) =>
  encoder.encode(`${JSON.stringify({ type, object })}\n`);

/** Lazily encoded frames of one change, shared by every watcher. */
class Frames {
  #cache = new Map<string, Uint8Array>();
  constructor(readonly change: Change) {}
  get(type: "ADDED" | "MODIFIED" | "DELETED", which: "object" | "previous"): Uint8Array {
    const key = `${type}:${which}`;
    let bytes = this.#cache.get(key);
    if (!bytes) {
      const { change } = this;
      let object = change.object;
      if (which === "previous" && change.previous) {
        // An object leaving the selector: the cacher sends its previous state with the new
        // resourceVersion (storage/cacher/cache_watcher.go, convertToWatchEvent).
        object = {
          ...change.previous,
          metadata: { ...change.previous.metadata, resourceVersion: String(change.revision) },
        };
      }
      bytes = frame(type, object);
      this.#cache.set(key, bytes);
    }
    return bytes;
  }
}

export class WatchHub {
  readonly #byResource = new Map<string, Set<Watcher>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly bookmarkIntervalMs: number,
  ) {
    store.subscribe((change) => {
      const watchers = this.#byResource.get(change.resource);
      if (!watchers || watchers.size === 0) return;
      const frames = new Frames(change);
      for (const watcher of watchers) this.#deliver(watcher, frames);
    });
  }

  /** How many watches are open (all resources). */
  get size(): number {
    let n = 0;
    for (const set of this.#byResource.values()) n += set.size;
    return n;
  }

  /** Opens a watch: a stream of newline-delimited JSON watch events. Cancelling it frees the watcher. */
  watch(request: WatchRequest): ReadableStream<Uint8Array> {
    let watcher: Watcher;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        watcher = { request, controller, closed: false, timers: [] };
        this.#start(watcher);
      },
      cancel: () => this.#close(watcher, false),
    });
  }

  /** Ends every watch of a resource (its CustomResourceDefinition was deleted). */
  closeResource(resource: string): void {
    for (const watcher of [...(this.#byResource.get(resource) ?? [])]) this.#close(watcher, true);
  }

  /** Ends every watch. */
  closeAll(): void {
    for (const set of [...this.#byResource.values()])
      for (const watcher of [...set]) this.#close(watcher, true);
  }

  #start(watcher: Watcher): void {
    const { request } = watcher;
    if (request.since !== undefined) {
      const changes = this.store.changesSince(request.since);
      if (!changes) {
        // storage/cacher/watch_cache.go: errors.NewResourceExpired("too old resource version: %d (%d)").
        const oldest = this.store.compactedRevision;
        watcher.controller.enqueue(
          frame("ERROR", status.expired(`too old resource version: ${request.since} (${oldest})`)),
        );
        watcher.controller.close();
        watcher.closed = true;
        return;
      }
      this.#register(watcher);
      for (const change of changes)
        if (change.resource === request.resource) this.#deliver(watcher, new Frames(change));
    } else {
      this.#register(watcher);
      for (const object of request.initial ?? [])
        if (this.#selects(request, object)) watcher.controller.enqueue(frame("ADDED", object));
      if (request.initialEventsEnd) {
        watcher.controller.enqueue(
          this.#bookmark(request, { "k8s.io/initial-events-end": "true" }),
        );
      }
    }
    if (request.bookmarks) {
      const timer = setInterval(() => {
        if (!watcher.closed) watcher.controller.enqueue(this.#bookmark(request));
      }, this.bookmarkIntervalMs);
      timer.unref?.();
      watcher.timers.push(timer);
    }
    if (request.timeoutMs !== undefined) {
      const timer = setTimeout(() => this.#close(watcher, true), request.timeoutMs);
      timer.unref?.();
      watcher.timers.push(timer);
    }
  }

  #bookmark(request: WatchRequest, annotations?: Record<string, string>): Uint8Array {
    return frame("BOOKMARK", {
      kind: request.kind,
      apiVersion: request.apiVersion,
      metadata: {
        resourceVersion: String(this.store.revision),
        ...(annotations ? { annotations } : {}),
      },
    });
  }

  #register(watcher: Watcher): void {
    let set = this.#byResource.get(watcher.request.resource);
    if (!set) {
      set = new Set();
      this.#byResource.set(watcher.request.resource, set);
    }
    set.add(watcher);
  }

  #selects(request: WatchRequest, object: KubeObject | undefined): boolean {
    if (!object) return false;
    if (request.namespace !== undefined && object.metadata?.namespace !== request.namespace)
      return false;
    return request.predicate ? request.predicate(object) : true;
  }

  #deliver(watcher: Watcher, frames: Frames): void {
    if (watcher.closed) return;
    const { request } = watcher;
    const { change } = frames;
    let bytes: Uint8Array | undefined;
    if (change.type === "ADDED") {
      if (this.#selects(request, change.object)) bytes = frames.get("ADDED", "object");
    } else if (change.type === "DELETED") {
      if (this.#selects(request, change.object)) bytes = frames.get("DELETED", "object");
    } else {
      const now = this.#selects(request, change.object);
      const before = this.#selects(request, change.previous);
      if (now && before) bytes = frames.get("MODIFIED", "object");
      else if (now) bytes = frames.get("ADDED", "object");
      else if (before) bytes = frames.get("DELETED", "previous");
    }
    if (bytes) watcher.controller.enqueue(bytes);
  }

  #close(watcher: Watcher | undefined, end: boolean): void {
    if (!watcher || watcher.closed) return;
    watcher.closed = true;
    for (const timer of watcher.timers) clearTimeout(timer);
    this.#byResource.get(watcher.request.resource)?.delete(watcher);
    if (end) {
      try {
        watcher.controller.close();
      } catch {
        // already cancelled by the reader
      }
    }
  }
}
