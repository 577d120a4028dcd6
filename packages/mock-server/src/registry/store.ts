// The object store: objects by group/version/resource and namespace/name, one resourceVersion
// counter for everything (as etcd's revision), and a bounded history of changes that watches,
// exact-version lists and continue tokens read from (as the watch cache and etcd compaction bound them).
import type { KubeObject } from "@kin/resources";

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

/** One change, as the watch cache keeps it. Objects are never mutated once stored. */
export interface Change {
  readonly revision: number;
  /** The resource key (`group/version/plural`). */
  readonly resource: string;
  readonly type: ChangeType;
  /** The object after the change; for DELETED, the last state with the deletion's resourceVersion. */
  readonly object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  readonly previous?: KubeObject;
}

export interface Entry {
  key: string;
  object: KubeObject;
}

export const objectKey = (namespace: string | undefined, name: string) =>
  `${namespace ?? ""}/${name}`;

const byKey = (a: Entry, b: Entry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

class Bucket {
  readonly objects = new Map<string, KubeObject>();
  #sorted: Entry[] | undefined;
  invalidate() {
    this.#sorted = undefined;
  }
  sorted(): Entry[] {
    if (!this.#sorted) {
      this.#sorted = [...this.objects].map(([key, object]) => ({ key, object })).sort(byKey);
    }
    return this.#sorted;
  }
}

export class ObjectStore {
  #revision = 1;
  /** History holds every change with a revision above this one. */
  #compacted = 1;
  readonly #history: Change[] = [];
  readonly #buckets = new Map<string, Bucket>();
  readonly #listeners = new Set<(change: Change) => void>();

  constructor(
    /** How many changes the history keeps (the watch cache's window). */
    readonly historySize = 10_000,
  ) {}

  /** The latest resourceVersion, as a number. */
  get revision(): number {
    return this.#revision;
  }

  /** The oldest resourceVersion a watch or an exact list can still start from. */
  get compactedRevision(): number {
    return this.#compacted;
  }

  #bucket(resource: string): Bucket {
    let bucket = this.#buckets.get(resource);
    if (!bucket) {
      bucket = new Bucket();
      this.#buckets.set(resource, bucket);
    }
    return bucket;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.#buckets.get(resource)?.objects.get(objectKey(namespace, name));
  }

  /** Objects in `namespace` (all when `undefined`), in etcd key order (namespace, then name). */
  list(resource: string, namespace?: string): Entry[] {
    const all = this.#buckets.get(resource)?.sorted() ?? [];
    if (namespace === undefined) return all;
    const prefix = `${namespace}/`;
    return all.filter((e) => e.key.startsWith(prefix));
  }

  /** How many objects a resource holds. */
  count(resource: string): number {
    return this.#buckets.get(resource)?.objects.size ?? 0;
  }

  /** The objects of `resource` as they were at `revision`; `undefined` when that is compacted. */
  listAt(resource: string, revision: number, namespace?: string): Entry[] | undefined {
    if (revision >= this.#revision) return this.list(resource, namespace);
    if (revision < this.#compacted) return undefined;
    const state = new Map(this.list(resource, namespace).map((e) => [e.key, e.object]));
    for (let i = this.#history.length - 1; i >= 0; i--) {
      const change = this.#history[i] as Change;
      if (change.revision <= revision) break;
      if (change.resource !== resource) continue;
      const meta = change.object.metadata ?? {};
      if (namespace !== undefined && meta.namespace !== namespace) continue;
      const key = objectKey(meta.namespace, meta.name ?? "");
      if (change.type === "ADDED") state.delete(key);
      else if (change.previous) state.set(key, change.previous);
    }
    return [...state].map(([key, object]) => ({ key, object })).sort(byKey);
  }

  /** Changes after `revision` (oldest first); `undefined` when some are compacted away. */
  changesSince(revision: number): Change[] | undefined {
    if (revision < this.#compacted) return undefined;
    // Binary search: history is ordered by revision.
    let lo = 0;
    let hi = this.#history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#history[mid] as Change).revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return this.#history.slice(lo);
  }

  /** The next resourceVersion, for an object about to be written. */
  nextRevision(): number {
    return this.#revision + 1;
  }

  /** Stores `object` (its metadata already complete, resourceVersion the next revision). */
  put(resource: string, object: KubeObject): Change {
    const meta = object.metadata ?? {};
    const key = objectKey(meta.namespace, meta.name ?? "");
    const bucket = this.#bucket(resource);
    const previous = bucket.objects.get(key);
    this.#revision++;
    bucket.objects.set(key, object);
    bucket.invalidate();
    return this.#record(
      previous
        ? { revision: this.#revision, resource, type: "MODIFIED", object, previous }
        : { revision: this.#revision, resource, type: "ADDED", object },
    );
  }

  /** Removes an object; the DELETED change carries its last state with the deletion's resourceVersion. */
  remove(resource: string, namespace: string | undefined, name: string): Change | undefined {
    const bucket = this.#buckets.get(resource);
    const key = objectKey(namespace, name);
    const previous = bucket?.objects.get(key);
    if (!bucket || !previous) return undefined;
    this.#revision++;
    bucket.objects.delete(key);
    bucket.invalidate();
    const object = {
      ...previous,
      metadata: { ...previous.metadata, resourceVersion: String(this.#revision) },
    };
    return this.#record({
      revision: this.#revision,
      resource,
      type: "DELETED",
      object,
      previous,
    });
  }

  /** Drops every object of a resource without recording changes (its CRD is gone). */
  drop(resource: string): void {
    this.#buckets.delete(resource);
  }

  /** Forgets all history, as an etcd compaction: older watches and continue tokens get 410. */
  compact(): void {
    this.#history.length = 0;
    this.#compacted = this.#revision;
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #record(change: Change): Change {
    this.#history.push(change);
    if (this.#history.length > this.historySize) {
      const dropped = this.#history.splice(0, this.#history.length - this.historySize);
      this.#compacted = (dropped.at(-1) as Change).revision;
    }
    for (const listener of this.#listeners) listener(change);
    return change;
  }
}
