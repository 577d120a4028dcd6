import type { KubeObject } from "@kin/client";
import { deepFreeze } from "./freeze.js";

/** The values an object is indexed under (none: not in that index). As client-go's `IndexFunc`. */
export type IndexFunc<T extends KubeObject> = (object: T) => readonly string[];

/** Read access to an informer's cache. Every object is frozen and every list a fresh array. */
export interface Store<T extends KubeObject> {
  /** How many objects there are. */
  readonly size: number;
  /** The object of a key (`namespace/name` or `name`), or `undefined`. */
  get(key: string): T | undefined;
  has(key: string): boolean;
  /** Every object, in no particular order. */
  list(): T[];
  /** Every key. */
  keys(): string[];
  /** The objects indexed under `value` by index `indexName`. @throws {RangeError} for an unknown index. */
  byIndex(indexName: string, value: string): T[];
  /** The keys indexed under `value` by index `indexName`. @throws {RangeError} for an unknown index. */
  indexKeys(indexName: string, value: string): string[];
  /** Every value of index `indexName` that has at least one object. */
  indexValues(indexName: string): string[];
  /** The names of the indexes. */
  indexNames(): string[];
}

/** A store that can be written: what an informer keeps; others read it as a {@link Store}. */
export interface MutableStore<T extends KubeObject> extends Store<T> {
  /** Puts `object` (frozen here) under `key`; returns the object it replaced. */
  set(key: string, object: T): T | undefined;
  /** Removes `key`; returns the object it held. */
  delete(key: string): T | undefined;
  /** Replaces everything at once: the indexes are rebuilt. */
  replace(entries: Map<string, T>): void;
  /**
   * Adds indexes; existing objects are indexed at once.
   * @throws {RangeError} when a name is taken by a different function.
   */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void;
  /** A read-only view of this store, for readers. */
  readonly reader: Store<T>;
}

/** Options of {@link createStore}. */
export interface StoreOptions<T extends KubeObject> {
  /** Named index functions, e.g. `{ namespace: byNamespace, node: byNode }`. */
  indexers?: Record<string, IndexFunc<T>>;
}

/**
 * An indexed in-memory store of objects by key, as client-go's `cache.Indexer`. Objects are deep-frozen
 * when they are put in, so no reader can change what another reader sees; change a copy
 * (`structuredClone(object)`) instead.
 */
export function createStore<T extends KubeObject>(options: StoreOptions<T> = {}): MutableStore<T> {
  let items = new Map<string, T>();
  const indexers = new Map<string, IndexFunc<T>>();
  const indices = new Map<string, Map<string, Set<string>>>();

  const indexOf = (name: string) => {
    const index = indices.get(name);
    if (!index) throw new RangeError(`store: no index named ${JSON.stringify(name)}`);
    return index;
  };
  const valuesOf = (fn: IndexFunc<T>, object: T | undefined): readonly string[] =>
    object === undefined ? [] : fn(object);
  const updateIndices = (key: string, before: T | undefined, after: T | undefined) => {
    for (const [name, fn] of indexers) {
      const index = indices.get(name) as Map<string, Set<string>>;
      const old = valuesOf(fn, before);
      const now = valuesOf(fn, after);
      if (old.length === 1 && now.length === 1 && old[0] === now[0]) continue;
      for (const value of old) {
        const keys = index.get(value);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
      for (const value of now) {
        let keys = index.get(value);
        if (!keys) {
          keys = new Set();
          index.set(value, keys);
        }
        keys.add(key);
      }
    }
  };
  const addIndexers = (add: Record<string, IndexFunc<T>>) => {
    const added: [string, IndexFunc<T>][] = [];
    for (const [name, fn] of Object.entries(add)) {
      const existing = indexers.get(name);
      if (existing === fn) continue;
      if (existing)
        throw new RangeError(`store: an index named ${JSON.stringify(name)} already exists`);
      added.push([name, fn]);
    }
    for (const [name, fn] of added) {
      indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      indices.set(name, index);
      for (const [key, object] of items) {
        for (const value of fn(object)) {
          let keys = index.get(value);
          if (!keys) {
            keys = new Set();
            index.set(value, keys);
          }
          keys.add(key);
        }
      }
    }
  };

  const reader: Store<T> = Object.freeze({
    get size() {
      return items.size;
    },
    get: (key: string) => items.get(key),
    has: (key: string) => items.has(key),
    list: () => [...items.values()],
    keys: () => [...items.keys()],
    byIndex: (name: string, value: string) => {
      const keys = indexOf(name).get(value);
      return keys ? [...keys].map((key) => items.get(key) as T) : [];
    },
    indexKeys: (name: string, value: string) => [...(indexOf(name).get(value) ?? [])],
    indexValues: (name: string) => [...indexOf(name).keys()],
    indexNames: () => [...indexers.keys()],
  });

  const store: MutableStore<T> = {
    get size() {
      return items.size;
    },
    get: reader.get,
    has: reader.has,
    list: reader.list,
    keys: reader.keys,
    byIndex: reader.byIndex,
    indexKeys: reader.indexKeys,
    indexValues: reader.indexValues,
    indexNames: reader.indexNames,
    reader,
    set(key, object) {
      deepFreeze(object);
      const before = items.get(key);
      items.set(key, object);
      updateIndices(key, before, object);
      return before;
    },
    delete(key) {
      const before = items.get(key);
      if (before === undefined) return undefined;
      items.delete(key);
      updateIndices(key, before, undefined);
      return before;
    },
    replace(entries) {
      items = new Map();
      for (const name of indexers.keys()) indices.set(name, new Map());
      for (const [key, object] of entries) {
        deepFreeze(object);
        items.set(key, object);
        updateIndices(key, undefined, object);
      }
    },
    addIndexers,
  };
  if (options.indexers) addIndexers(options.indexers);
  return store;
}
