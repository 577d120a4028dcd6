// Sets of field paths, the unit of field ownership in server-side apply
// (sigs.k8s.io/structured-merge-diff/v4 fieldpath.Set), in the FieldsV1 form managedFields store.
//
// A path element is kept as its FieldsV1 key: `f:<field>`, `k:<JSON of the list-map keys, sorted>`,
// `v:<JSON of a set value>` or `i:<index>`. In FieldsV1 a node whose path is itself in the set and that also
// has children carries `".": {}`; a member without children is `{}`.

import { isObject } from "./json.js";

/** One node of a field set: whether its own path is a member, and its children by path element. */
export interface FieldSet {
  member: boolean;
  readonly children: Map<string, FieldSet>;
}

/** A path of FieldsV1 elements (`["f:spec", "f:containers", 'k:{"name":"web"}', "f:image"]`). */
export type FieldPath = readonly string[];

/** An empty set. */
export function emptyFieldSet(): FieldSet {
  return { member: false, children: new Map() };
}

/** Adds `path` to `set` (in place). */
export function insertPath(set: FieldSet, path: FieldPath): void {
  let node = set;
  for (const element of path) {
    let child = node.children.get(element);
    if (!child) {
      child = emptyFieldSet();
      node.children.set(element, child);
    }
    node = child;
  }
  if (path.length > 0) node.member = true;
}

/** The node at `path`, if any. */
export function nodeAt(set: FieldSet, path: FieldPath): FieldSet | undefined {
  let node: FieldSet | undefined = set;
  for (const element of path) node = node?.children.get(element);
  return node;
}

/** Whether `path` is a member of `set`. */
export function hasPath(set: FieldSet, path: FieldPath): boolean {
  return nodeAt(set, path)?.member === true;
}

/** Whether `set` has no member. */
export function isEmptyFieldSet(set: FieldSet): boolean {
  return !set.member && [...set.children.values()].every(isEmptyFieldSet);
}

/** Every member path of `set`. */
export function fieldPaths(set: FieldSet, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = set.member ? [prefix] : [];
  for (const [element, child] of set.children) out.push(...fieldPaths(child, [...prefix, element]));
  return out;
}

function combine(a: FieldSet, b: FieldSet, member: (x: boolean, y: boolean) => boolean): FieldSet {
  const out: FieldSet = { member: member(a.member, b.member), children: new Map() };
  const empty = emptyFieldSet();
  for (const key of new Set([...a.children.keys(), ...b.children.keys()])) {
    const child = combine(a.children.get(key) ?? empty, b.children.get(key) ?? empty, member);
    if (!isEmptyFieldSet(child)) out.children.set(key, child);
  }
  return out;
}

/** Paths in `a` or `b`. */
export function unionFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  return combine(a, b, (x, y) => x || y);
}

/** Paths in `a` and not in `b` (members only: a child of a path in `b` stays). */
export function differenceFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  return combine(a, b, (x, y) => x && !y);
}

/** Paths in both `a` and `b`. */
export function intersectFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  return combine(a, b, (x, y) => x && y);
}

function rank(element: string): number {
  return "fkvi".indexOf(element[0] ?? "f");
}

/** The FieldsV1 JSON of `set`, children ordered as structured-merge-diff writes them (fields, keys, values, indexes). */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const children = [...set.children.entries()]
    .filter(([, child]) => !isEmptyFieldSet(child))
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  if (set.member && children.length > 0) out["."] = {};
  for (const [element, child] of children) out[element] = toFieldsV1(child);
  return out;
}

/** The set a FieldsV1 JSON object describes. */
export function fromFieldsV1(fields: unknown): FieldSet {
  const set = emptyFieldSet();
  if (!isObject(fields)) return set;
  for (const [element, child] of Object.entries(fields)) {
    if (element === ".") {
      set.member = true;
      continue;
    }
    const node = fromFieldsV1(child);
    if (!isObject(child) || Object.keys(child).length === 0) node.member = true;
    set.children.set(element, node);
  }
  return set;
}

function valueString(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/**
 * A path as the API server prints it in conflicts (fieldpath.Path.String):
 * `.spec.template.spec.containers[name="web"].image`, `.metadata.finalizers[="a"]`, `.spec.items[0]`.
 */
export function formatFieldPath(path: FieldPath): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      switch (element[0]) {
        case "f":
          return `.${body}`;
        case "k": {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(key)
            .map(([k, v]) => `${k}=${valueString(v)}`)
            .join(",")}]`;
        }
        case "v":
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join("");
}
