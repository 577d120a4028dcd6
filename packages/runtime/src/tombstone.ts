import type { KubeObject } from "@kin/client";

/**
 * What `onDelete` gets for an object whose deletion the informer did not see happen: it was gone
 * from a relist (after a 410, or a watch-list restart), so the watch's DELETED event was missed.
 * `object` is the last state the informer knew, which may be stale. As client-go's
 * `cache.DeletedFinalStateUnknown`.
 */
export class DeletedFinalStateUnknown<T extends KubeObject = KubeObject> {
  constructor(
    /** The store key (`namespace/name` or `name`). */
    readonly key: string,
    /** The last state the informer knew. */
    readonly object: T,
  ) {
    Object.freeze(this);
  }
}

/** The object of a delete notification, whether it is the final state or a tombstone's last known one. */
export function finalStateOf<T extends KubeObject>(deleted: T | DeletedFinalStateUnknown<T>): T {
  return deleted instanceof DeletedFinalStateUnknown ? deleted.object : deleted;
}
