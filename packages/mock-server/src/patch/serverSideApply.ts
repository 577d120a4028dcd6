// Server-side apply (application/apply-patch+yaml): merge by the schema's list types, field ownership in
// managedFields, conflicts, force, and removal of fields the manager no longer applies
// (structured-merge-diff merge/update.go Updater.Apply/prune/update; the apiserver's conflict message from
// k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go).

import { mergeValues } from "./applyMerge.js";
import {
  differenceFieldSets,
  emptyFieldSet,
  type FieldSet,
  fieldPaths,
  formatFieldPath,
  intersectFieldSets,
  isEmptyFieldSet,
  nodeAt,
  unionFieldSets,
} from "./fieldSet.js";
import { clone, isObject, type JsonObject } from "./json.js";
import {
  decodeManagedFields,
  type ManagedFieldsEntry,
  setManagedFields,
  UNTRACKED_FIELDS,
  withoutManagedFields,
} from "./managedFields.js";
import { type ApplyConflict, PatchError } from "./patchError.js";
import { rootType } from "./schema.js";
import { compareObjects, removeFields, toFieldSet } from "./typedValue.js";

/** Options of {@link serverSideApply}. */
export interface ServerSideApplyOptions {
  /** The field manager (`?fieldManager=`, required for apply). */
  manager: string;
  /** `?force=true`: take fields owned by other managers instead of failing with 409. */
  force: boolean;
  /** The OpenAPI definition of the object (`io.k8s.api.apps.v1.Deployment`); unknown ones are walked without a schema. */
  definition: string;
  /** The time to record (RFC 3339, seconds). */
  now: string;
}

/** How the apiserver names a manager in a conflict (printManager): `"kubectl" using apps/v1` for Update entries. */
function printManager(entry: ManagedFieldsEntry): string {
  let name = JSON.stringify(entry.manager);
  if (entry.subresource) name = `${name} with subresource ${JSON.stringify(entry.subresource)}`;
  return entry.operation === "Update" ? `${name} using ${entry.apiVersion ?? ""}` : name;
}

/** getConflictMessage: one conflict on one line, several grouped by manager (sorted). */
function conflictMessage(conflicts: { entry: ManagedFieldsEntry; field: string }[]): string {
  const [only] = conflicts;
  if (conflicts.length === 1 && only) {
    return `Apply failed with 1 conflict: conflict with ${printManager(only.entry)}: ${only.field}`;
  }
  const byManager = new Map<string, string[]>();
  for (const { entry, field } of conflicts) {
    const name = printManager(entry);
    byManager.set(name, [...(byManager.get(name) ?? []), field]);
  }
  const lines: string[] = [];
  for (const name of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${name}:`);
    for (const field of byManager.get(name) ?? []) lines.push(`- ${field}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
}

/** Paths of `set` with nothing of `others` at or under them (so removing them takes nothing others own). */
function notOwnedBelow(set: FieldSet, others: FieldSet): FieldSet {
  const out = emptyFieldSet();
  for (const path of fieldPaths(set)) {
    const node = nodeAt(others, path);
    if (!node || isEmptyFieldSet(node)) {
      let target = out;
      for (const element of path) {
        let child = target.children.get(element);
        if (!child) {
          child = emptyFieldSet();
          target.children.set(element, child);
        }
        target = child;
      }
      target.member = true;
    }
  }
  return out;
}

/**
 * Server-side apply of the configuration `applied` by `options.manager` to `live` (undefined: the object
 * does not exist yet). Returns the new object with its managedFields: the manager's `Apply` entry holds
 * exactly the fields it applied (`apiVersion` of the configuration, `time` = now, FieldsV1).
 *
 * Maps and structs merge key by key; lists merge by their `x-kubernetes-list-type` (`map` by the
 * list-map keys, `set` by value, `atomic` replaced), falling back to the patch merge key. A field that
 * another manager owns and that the apply would change is a conflict: 409 unless `force`, which moves
 * the field to this manager. Fields the manager applied before and no longer applies are removed from the
 * object when no other manager owns them.
 *
 * @throws {PatchError} 409 with `conflicts` and the apiserver's "Apply failed with N conflict(s): …"
 * message; 400 when the configuration is not an object or sets `metadata.managedFields`.
 */
export function serverSideApply(
  live: Record<string, unknown> | undefined,
  applied: Record<string, unknown>,
  options: ServerSideApplyOptions,
): Record<string, unknown> {
  if (!isObject(applied)) throw new PatchError(400, "error decoding YAML: not an object");
  if (isObject(applied.metadata) && applied.metadata.managedFields != null) {
    // fieldmanager.go: managed fields cannot be set by an apply configuration.
    throw new PatchError(400, "metadata.managedFields must be nil");
  }
  const type = rootType(options.definition);
  const entries = decodeManagedFields(live);
  const liveObject = live === undefined ? {} : withoutManagedFields(live);
  const config = clone(applied) as JsonObject;
  const appliedSet = differenceFieldSets(toFieldSet(config, type), UNTRACKED_FIELDS);

  const own = entries.find(
    (e) => e.manager === options.manager && e.operation === "Apply" && e.subresource === undefined,
  );
  const others = entries.filter((e) => e !== own);
  const othersOwn = others.reduce((set, e) => unionFieldSets(set, e.fields), emptyFieldSet());

  const merged = mergeValues(liveObject, config, type) as JsonObject;
  // prune: what this manager applied last time, does not apply now and nobody else owns
  if (own) {
    const dropped = differenceFieldSets(differenceFieldSets(own.fields, appliedSet), othersOwn);
    removeFields(merged, notOwnedBelow(dropped, othersOwn), type);
  }

  const comparison = compareObjects(live === undefined ? undefined : liveObject, merged, type);
  const changed = unionFieldSets(comparison.added, comparison.modified);
  const conflicts: { entry: ManagedFieldsEntry; field: string; set: FieldSet }[] = [];
  for (const entry of others) {
    const taken = intersectFieldSets(entry.fields, changed);
    for (const path of fieldPaths(taken)) {
      conflicts.push({ entry, field: formatFieldPath(path), set: taken });
    }
  }
  if (conflicts.length > 0 && !options.force) {
    const list: ApplyConflict[] = conflicts.map((c) => ({
      manager: c.entry.manager,
      field: c.field,
    }));
    throw new PatchError(409, conflictMessage(conflicts), { conflicts: list });
  }
  for (const { entry, set } of conflicts) entry.fields = differenceFieldSets(entry.fields, set);
  for (const entry of entries) entry.fields = differenceFieldSets(entry.fields, comparison.removed);

  const apiVersion = typeof applied.apiVersion === "string" ? applied.apiVersion : undefined;
  const entry: ManagedFieldsEntry = {
    manager: options.manager,
    operation: "Apply",
    ...(apiVersion !== undefined ? { apiVersion } : {}),
    time: options.now,
    fields: appliedSet,
  };
  const next = own ? entries.map((e) => (e === own ? entry : e)) : [...entries, entry];
  return setManagedFields(merged, next);
}
