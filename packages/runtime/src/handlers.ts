import type { KubeObject } from "@kin/client";
import type { DeletedFinalStateUnknown } from "./tombstone.js";

/**
 * What an informer tells about changes, as client-go's `ResourceEventHandler`. When a handler runs,
 * the informer's store already holds the change (after a relist: the whole list). Objects are frozen.
 * Handlers run synchronously, one event at a time, in order; keep them short (put a key in a work
 * queue). A handler that throws is reported to the informer's `onError` and the others still run.
 */
export interface EventHandler<T extends KubeObject> {
  /** A new object; `isInInitialList` is true for the objects of the first list (and, for a handler added later, for the objects already cached). */
  onAdd?(object: T, isInInitialList: boolean): void;
  /** A changed object. On a resync `oldObject` and `newObject` are the same object. */
  onUpdate?(oldObject: T, newObject: T): void;
  /** A deleted object: its final state, or a {@link DeletedFinalStateUnknown} when the deletion was missed and found by a relist. */
  onDelete?(object: T | DeletedFinalStateUnknown<T>): void;
}

/** Options of `informer.addHandler`. */
export interface HandlerOptions {
  /**
   * Call `onUpdate(object, object)` for every cached object this often (0: never). Default: the
   * informer's `resyncMs`. Periods under 1 s are raised to 1 s (client-go's `minimumResyncPeriod`).
   */
  resyncMs?: number;
}

/** What `informer.addHandler` returns. */
export interface HandlerRegistration {
  /** True once the informer has synced and this handler has been told about every cached object. */
  hasSynced(): boolean;
  /** Stops calling the handler. */
  remove(): void;
}
