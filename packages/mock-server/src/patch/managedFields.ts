// managedFields: decoding and encoding the entries, and what the API server records on a write that is
// not an apply (k8s.io/apimachinery/pkg/util/managedfields/internal: managedfieldsupdater.go,
// stripmeta.go, managedfields.go; structured-merge-diff merge/update.go Updater.Update).

import {
  differenceFieldSets,
  emptyFieldSet,
  type FieldSet,
  fromFieldsV1,
  insertPath,
  isEmptyFieldSet,
  toFieldsV1,
  unionFieldSets,
} from "./fieldSet.js";
import { clone, isObject, type JsonObject } from "./json.js";
import { rootType } from "./schema.js";
import { compareObjects } from "./typedValue.js";

/** One decoded managedFields entry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  apiVersion?: string;
  time?: string;
  subresource?: string;
  fields: FieldSet;
}

/**
 * Fields never tracked in managedFields (stripmeta.go): `apiVersion`, `kind`, `metadata` itself and the
 * server-set metadata fields.
 */
export const UNTRACKED_FIELDS: FieldSet = (() => {
  const set = emptyFieldSet();
  for (const path of [
    ["f:apiVersion"],
    ["f:kind"],
    ["f:metadata"],
    ...[
      "name",
      "namespace",
      "creationTimestamp",
      "selfLink",
      "uid",
      "clusterName",
      "generation",
      "managedFields",
      "resourceVersion",
    ].map((f) => ["f:metadata", `f:${f}`]),
  ]) {
    insertPath(set, path);
  }
  return set;
})();

/** The entries of `object.metadata.managedFields` (entries that are not objects are skipped). */
export function decodeManagedFields(object: unknown): ManagedFieldsEntry[] {
  const metadata = isObject(object) ? object.metadata : undefined;
  const list = isObject(metadata) ? metadata.managedFields : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((entry) => ({
    manager: typeof entry.manager === "string" ? entry.manager : "",
    operation: typeof entry.operation === "string" ? entry.operation : "",
    ...(typeof entry.apiVersion === "string" ? { apiVersion: entry.apiVersion } : {}),
    ...(typeof entry.time === "string" ? { time: entry.time } : {}),
    ...(typeof entry.subresource === "string" ? { subresource: entry.subresource } : {}),
    fields: fromFieldsV1(entry.fieldsV1),
  }));
}

function seconds(time: string | undefined): number {
  const ms = time === undefined ? Number.NaN : Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The managedFields list of `entries`: empty sets dropped, sorted as sortEncodedManagedFields does
 * (operation, then time, manager, apiVersion, subresource), fields in the Go struct's order.
 */
export function encodeManagedFields(entries: readonly ManagedFieldsEntry[]): JsonObject[] {
  return entries
    .filter((entry) => !isEmptyFieldSet(entry.fields))
    .sort(
      (p, q) =>
        compareStrings(p.operation, q.operation) ||
        seconds(p.time) - seconds(q.time) ||
        compareStrings(p.manager, q.manager) ||
        compareStrings(p.apiVersion ?? "", q.apiVersion ?? "") ||
        compareStrings(p.subresource ?? "", q.subresource ?? ""),
    )
    .map((entry) => ({
      manager: entry.manager,
      operation: entry.operation,
      ...(entry.apiVersion !== undefined ? { apiVersion: entry.apiVersion } : {}),
      ...(entry.time !== undefined ? { time: entry.time } : {}),
      fieldsType: "FieldsV1",
      fieldsV1: toFieldsV1(entry.fields),
      ...(entry.subresource !== undefined ? { subresource: entry.subresource } : {}),
    }));
}

/** A copy of `object` without `metadata.managedFields`. */
export function withoutManagedFields(object: unknown): JsonObject {
  const copy: JsonObject = isObject(object) ? clone(object) : {};
  if (isObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

/** `object` (in place) with `entries` as its managedFields (none: the key removed). */
export function setManagedFields(
  object: JsonObject,
  entries: readonly ManagedFieldsEntry[],
): JsonObject {
  const encoded = encodeManagedFields(entries);
  const metadata: JsonObject = isObject(object.metadata) ? object.metadata : {};
  if (encoded.length > 0) metadata.managedFields = encoded;
  else delete metadata.managedFields;
  object.metadata = metadata;
  return object;
}

/** Options of {@link updateManagedFields}. */
export interface UpdateManagedFieldsOptions {
  /** The field manager (`?fieldManager=`, else the user agent's command name). */
  manager: string;
  operation: "Update";
  /** The OpenAPI definition of the object (`io.k8s.api.apps.v1.Deployment`); unknown ones are walked without a schema. */
  definition: string;
  /** The time to record (RFC 3339, seconds). */
  now: string;
}

/**
 * What the API server records on a create, an update or a non-apply patch: the fields the write added or
 * changed become owned by `manager` with operation `Update` (one entry per manager and apiVersion, its time
 * set to `now` when it took any field) and leave the other managers' sets; fields the write removed leave
 * every set. Returns a copy of `after` with the new managedFields. When `after` carries no managedFields,
 * `before`'s are used (clients that drop them cannot erase ownership).
 */
export function updateManagedFields(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
  options: UpdateManagedFieldsOptions,
): Record<string, unknown> {
  const afterEntries = decodeManagedFields(after);
  const entries = afterEntries.length > 0 ? afterEntries : decodeManagedFields(before);
  const result = withoutManagedFields(after);
  const comparison = compareObjects(
    before === undefined ? undefined : withoutManagedFields(before),
    result,
    rootType(options.definition),
  );
  const changed = differenceFieldSets(
    unionFieldSets(comparison.added, comparison.modified),
    UNTRACKED_FIELDS,
  );
  const apiVersion = typeof after.apiVersion === "string" ? after.apiVersion : undefined;
  const isOwn = (e: ManagedFieldsEntry) =>
    e.manager === options.manager &&
    e.operation === options.operation &&
    e.apiVersion === apiVersion &&
    e.subresource === undefined;
  for (const entry of entries) {
    if (!isOwn(entry)) entry.fields = differenceFieldSets(entry.fields, changed);
    entry.fields = differenceFieldSets(entry.fields, comparison.removed);
  }
  if (!isEmptyFieldSet(changed)) {
    let own = entries.find(isOwn);
    if (!own) {
      own = {
        manager: options.manager,
        operation: options.operation,
        ...(apiVersion !== undefined ? { apiVersion } : {}),
        fields: emptyFieldSet(),
      };
      entries.push(own);
    }
    own.fields = unionFieldSets(own.fields, changed);
    own.time = options.now;
  }
  return setManagedFields(result, entries);
}
