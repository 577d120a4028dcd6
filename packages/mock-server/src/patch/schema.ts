// What the patch engines know about a position in an object, from @kin/resources' patch metadata
// (the v1.28 OpenAPI spec's x-kubernetes-* extensions).

import { type FieldPatchMetadata, patchMetadataTable } from "@kin/resources/patch-metadata";

/** How server-side apply treats a list (`x-kubernetes-list-type`). */
export interface ListShape {
  readonly type: "atomic" | "set" | "map";
  /** For `map` lists: the keys that identify an item. */
  readonly keys: readonly string[];
}

/** The type of a value at one position: a struct of a definition, a map, a list, or unknown. */
export interface NodeType {
  /** The definition of a struct at this position. */
  readonly definition?: string;
  /** For string-keyed maps (`labels`, `data`, `nodeSelector`): the type of the values. */
  readonly values?: NodeType;
  /** For lists: the type of the items. */
  readonly items?: NodeType;
  /** The field's metadata, when the position is a field that has any. */
  readonly field?: FieldPatchMetadata;
  /** Replaced whole by apply (`x-kubernetes-map-type: atomic`). */
  readonly atomic?: boolean;
}

/** The type of a top-level object of `definition` (known or not). */
export function rootType(definition: string): NodeType {
  return {
    definition,
    atomic: patchMetadataTable[definition]?.mapType === "atomic",
  };
}

/**
 * Whether the API server accepts a strategic merge patch for objects of `definition`: only built-in
 * kinds, whose Go types carry the patch strategies. Custom resources are refused with 415
 * (k8s.io/apiextensions-apiserver: strategic merge patch is not supported for custom resources).
 */
export function supportsStrategicMerge(definition: string): boolean {
  return Object.hasOwn(patchMetadataTable, definition);
}

/** The type of the field described by `field` (undefined: a field without metadata). */
export function fieldType(field: FieldPatchMetadata | undefined): NodeType {
  if (!field) return {};
  const ref: NodeType = field.ref
    ? { definition: field.ref, atomic: patchMetadataTable[field.ref]?.mapType === "atomic" }
    : {};
  if (field.container === "list") return { field, items: ref };
  if (field.container === "map") return { field, values: ref, atomic: field.mapType === "atomic" };
  return { ...ref, field, atomic: ref.atomic === true || field.mapType === "atomic" };
}

/** The type of the value under `key` of an object of type `parent`. */
export function childType(parent: NodeType, key: string): NodeType {
  if (parent.values) return parent.values;
  if (parent.definition) return fieldType(patchMetadataTable[parent.definition]?.fields[key]);
  return {};
}

/** The patch strategies of a field (`merge`, `retainKeys`, `replace`). */
export function patchStrategies(type: NodeType): string[] {
  return type.field?.patchStrategy?.split(",") ?? [];
}

/**
 * How server-side apply treats the list at `type`: `x-kubernetes-list-type` when the spec has one, else
 * what kube-openapi's schemaconv derives from the patch strategy (`merge` with a merge key → a map keyed by
 * it, `merge` without → a set), else atomic.
 */
export function listShape(type: NodeType): ListShape {
  const field = type.field;
  if (field?.listType) {
    return {
      type: field.listType,
      keys: field.listType === "map" ? (field.listMapKeys ?? []) : [],
    };
  }
  if (patchStrategies(type).includes("merge")) {
    return field?.patchMergeKey
      ? { type: "map", keys: [field.patchMergeKey] }
      : { type: "set", keys: [] };
  }
  return { type: "atomic", keys: [] };
}

/** Whether `key` at an object of type `parent` is a declared struct field (not a map entry). */
export function isDeclaredField(parent: NodeType, _key: string): boolean {
  return parent.values === undefined;
}
