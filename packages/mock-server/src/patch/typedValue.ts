// Walks of an object along its schema that produce field sets: the fields an object sets
// (structured-merge-diff typed/tofieldset.go), what changed between two objects (typed/compare.go),
// and the removal of fields by path (typed/remove.go).

import {
  emptyFieldSet,
  type FieldPath,
  type FieldSet,
  fieldPaths,
  insertPath,
} from "./fieldSet.js";
import { deepEqual, isObject } from "./json.js";
import { childType, isDeclaredField, type ListShape, listShape, type NodeType } from "./schema.js";

/**
 * Defaults of list-map key fields, which structured-merge-diff takes from the schema when an item omits
 * them (`protocol` of container, service and endpoint ports defaults to TCP). The v1.28 swagger.json our
 * metadata comes from carries no defaults, so this one is kept by hand.
 */
const KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: "TCP" };

/**
 * Fields the API server's empty Go object already has (non-pointer structs, lists without `omitempty`),
 * so that a create or update never *adds* them as a whole: `f:metadata`, `f:spec`, `f:containers` carry no
 * `.` in an Update entry, unlike pointer or omitempty fields such as `f:rollingUpdate`, `f:labels`,
 * `f:ports`. Our metadata does not say which fields those are; these are the common ones.
 */
const ALWAYS_PRESENT_FIELDS = new Set([
  "metadata",
  "spec",
  "status",
  "template",
  "strategy",
  "updateStrategy",
  "containers",
]);

/** How the list at `type` is treated by apply (atomic when nothing says otherwise). */
export function shapeOf(type: NodeType): ListShape {
  return type.field ? listShape(type) : { type: "atomic", keys: [] };
}

/** The path element of a list item: `k:{…}` for list maps, `v:…` for sets, `i:n` otherwise. */
export function listElement(item: unknown, index: number, shape: ListShape): string {
  if (shape.type === "map" && isObject(item)) {
    const key: Record<string, unknown> = {};
    for (const name of [...shape.keys].sort()) {
      const value = item[name] ?? KEY_DEFAULTS[name];
      if (value !== undefined) key[name] = value;
    }
    return `k:${JSON.stringify(key)}`;
  }
  if (shape.type === "set") return `v:${JSON.stringify(item)}`;
  return `i:${index}`;
}

function walk(value: unknown, type: NodeType, path: FieldPath, set: FieldSet): void {
  if (Array.isArray(value)) {
    const shape = shapeOf(type);
    if (shape.type === "atomic") {
      insertPath(set, path);
      return;
    }
    value.forEach((item, i) => {
      const child = [...path, listElement(item, i, shape)];
      walk(item, type.items ?? {}, child, set);
      insertPath(set, child);
    });
  } else if (isObject(value)) {
    if (type.atomic) {
      insertPath(set, path);
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      const child = [...path, `f:${key}`];
      walk(v, childType(type, key), child, set);
      const emptyMap = isObject(v) && Object.keys(v).length === 0;
      if (v === null || emptyMap || !isDeclaredField(type, key)) insertPath(set, child);
    }
  } else {
    insertPath(set, path);
  }
}

/** The fields `value` (an object of type `type`) sets: leaves, list items, atomic values, map entries. */
export function toFieldSet(value: unknown, type: NodeType): FieldSet {
  const set = emptyFieldSet();
  walk(value, type, [], set);
  return set;
}

/** What changed from one object to another. */
export interface Comparison {
  /** Paths present only in the new object (containers and everything under them). */
  readonly added: FieldSet;
  /** Leaves (scalars, atomic values) present in both with different values. */
  readonly modified: FieldSet;
  /** Paths present only in the old object (and everything under them). */
  readonly removed: FieldSet;
}

function children(value: unknown, type: NodeType): Map<string, [unknown, NodeType]> {
  const out = new Map<string, [unknown, NodeType]>();
  if (Array.isArray(value)) {
    const shape = shapeOf(type);
    if (shape.type !== "atomic") {
      value.forEach((item, i) => {
        out.set(listElement(item, i, shape), [item, type.items ?? {}]);
      });
    }
  } else if (isObject(value) && !type.atomic) {
    for (const [key, v] of Object.entries(value)) out.set(`f:${key}`, [v, childType(type, key)]);
  }
  return out;
}

function isGranular(value: unknown, type: NodeType): boolean {
  if (Array.isArray(value)) return shapeOf(type).type !== "atomic";
  return isObject(value) && !type.atomic;
}

function everything(value: unknown, type: NodeType, path: FieldPath, set: FieldSet): void {
  const last = path[path.length - 1];
  const alwaysPresent = last?.startsWith("f:") === true && ALWAYS_PRESENT_FIELDS.has(last.slice(2));
  if (path.length > 0 && !alwaysPresent) insertPath(set, path);
  for (const [element, [child, childT]] of children(value, type)) {
    everything(child, childT, [...path, element], set);
  }
}

function compareAt(
  lhs: unknown,
  rhs: unknown,
  type: NodeType,
  path: FieldPath,
  out: Comparison,
): void {
  if (lhs === undefined) {
    everything(rhs, type, path, out.added);
    return;
  }
  if (rhs === undefined) {
    everything(lhs, type, path, out.removed);
    if (path.length > 0) insertPath(out.removed, path);
    return;
  }
  const sameKind = Array.isArray(lhs) === Array.isArray(rhs) && isObject(lhs) === isObject(rhs);
  if (sameKind && isGranular(lhs, type) && isGranular(rhs, type)) {
    const l = children(lhs, type);
    const r = children(rhs, type);
    for (const element of new Set([...l.keys(), ...r.keys()])) {
      const [lv, lt] = l.get(element) ?? [undefined, undefined];
      const [rv, rt] = r.get(element) ?? [undefined, undefined];
      compareAt(lv, rv, (rt ?? lt) as NodeType, [...path, element], out);
    }
    return;
  }
  if (!deepEqual(lhs, rhs) && path.length > 0) insertPath(out.modified, path);
}

/** Compares two objects of type `type` field by field (undefined `before`: everything is added). */
export function compareObjects(before: unknown, after: unknown, type: NodeType): Comparison {
  const out: Comparison = {
    added: emptyFieldSet(),
    modified: emptyFieldSet(),
    removed: emptyFieldSet(),
  };
  compareAt(before ?? {}, after, type, [], out);
  return out;
}

function removeAt(value: unknown, path: FieldPath, type: NodeType): void {
  const [element, ...rest] = path;
  if (element === undefined) return;
  if (isObject(value) && element.startsWith("f:")) {
    const key = element.slice(2);
    if (rest.length === 0) delete value[key];
    else removeAt(value[key], rest, childType(type, key));
  } else if (Array.isArray(value)) {
    const shape = shapeOf(type);
    const index = value.findIndex((item, i) => listElement(item, i, shape) === element);
    if (index < 0) return;
    if (rest.length === 0) value.splice(index, 1);
    else removeAt(value[index], rest, type.items ?? {});
  }
}

/**
 * Removes every member path of `set` from `object` (in place). A path under another removed path goes
 * with it (removing the fields of a list item first would lose the keys that find the item).
 */
export function removeFields(object: unknown, set: FieldSet, type: NodeType): void {
  const paths = fieldPaths(set);
  const removed = new Set(paths.map((p) => JSON.stringify(p)));
  for (const path of paths) {
    const underRemoved = path.some(
      (_, i) => i > 0 && removed.has(JSON.stringify(path.slice(0, i))),
    );
    if (!underRemoved) removeAt(object, path, type);
  }
}
