// Types of the strategic-merge / server-side-apply metadata in table.generated.ts.

/** What a merger needs to know about one field of a definition. */
export interface FieldPatchMetadata {
  /** The definition the field (or its list items, or its map values) is of, to walk nested types. */
  readonly ref?: string;
  /** `list` for arrays, `map` for string-keyed maps; absent for single values. */
  readonly container?: "list" | "map";
  /** `x-kubernetes-patch-strategy`: `merge`, `replace`, `retainKeys` or `merge,retainKeys`. */
  readonly patchStrategy?: string;
  /** `x-kubernetes-patch-merge-key`: the item field that identifies list items when merging (`name`, `containerPort`). */
  readonly patchMergeKey?: string;
  /** `x-kubernetes-list-type` (server-side apply): `atomic`, `set` or `map`. */
  readonly listType?: "atomic" | "set" | "map";
  /** `x-kubernetes-list-map-keys` (server-side apply): the keys of a `map` list. */
  readonly listMapKeys?: readonly string[];
  /** `x-kubernetes-map-type` of the field: `atomic` or `granular`. */
  readonly mapType?: "atomic" | "granular";
}

/** Metadata of one definition. */
export interface DefinitionPatchMetadata {
  /** `x-kubernetes-map-type` of the definition itself (`atomic`: replaced whole by apply). */
  readonly mapType?: "atomic" | "granular";
  /** Fields that carry metadata or reference another definition; others are plain values. */
  readonly fields: Readonly<Record<string, FieldPatchMetadata>>;
}

/** Definition name (`io.k8s.api.core.v1.PodSpec`) → its metadata. */
export type PatchMetadataTable = Readonly<Record<string, DefinitionPatchMetadata>>;
