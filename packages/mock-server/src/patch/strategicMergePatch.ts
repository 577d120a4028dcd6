// Strategic merge patch, as the API server applies `application/strategic-merge-patch+json`: a port of
// the apply side of k8s.io/apimachinery/pkg/util/strategicpatch (patch.go: mergeMap, mergeSlice,
// mergeSliceWithSpecialElements, normalizeElementOrder, mergeSortedSlice, applyRetainKeysDirective) with
// MergeOptions{MergeParallelList: true, IgnoreUnmatchedNulls: true} as StrategicMergeMapPatch uses.
// Errors map as the server's interpretStrategicMergePatchError does (handlers/patch.go): format errors are
// 400, "lists of lists" and retainKeys mismatches 422, anything else reaches the client as a 500.

import { deepEqual, isObject, type JsonObject } from "./json.js";
import { applyMergePatch } from "./mergePatch.js";
import { PatchError } from "./patchError.js";
import {
  childType,
  type NodeType,
  patchStrategies,
  rootType,
  supportsStrategicMerge,
} from "./schema.js";

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";
const SET_ELEMENT_ORDER = "$setElementOrder/";

// mergepatch/errors.go
const badRequest = (message: string) => new PatchError(400, message);
const errBadPatchFormatForPrimitiveList = () =>
  badRequest("invalid patch format of primitive list");
const errBadPatchFormatForRetainKeys = () => badRequest("invalid patch format of retainKeys");
const errBadPatchFormatForSetElementOrderList = () =>
  badRequest("invalid patch format of setElementOrder list");
const errPatchContentNotMatchRetainKeys = () =>
  new PatchError(422, "the server rejected our request due to an error in our request", {
    detail: "patch content doesn't match retainKeys list",
  });
const errNoListOfLists = () =>
  new PatchError(422, "the server rejected our request due to an error in our request", {
    detail: "lists of lists are not supported",
  });
const errBadPatchType = (type: unknown, where: unknown) =>
  new PatchError(500, `unknown patch type: ${String(type)} in map: ${JSON.stringify(where)}`);
const errNoMergeKey = (item: unknown, key: string) =>
  new PatchError(500, `map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);

/** A value as it would be if the patch value were merged into nothing: directives and nulls gone. */
function fresh(patch: unknown, type: NodeType): unknown {
  if (isObject(patch)) return mergeMap({}, patch, type);
  if (Array.isArray(patch)) return mergeList([], patch, type);
  return patch;
}

function mergeMap(original: JsonObject, patch: JsonObject, type: NodeType): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === "replace") {
      const { [DIRECTIVE]: _, ...rest } = patch;
      return mergeMap({}, rest, type);
    }
    if (directive === "delete") return {};
    throw errBadPatchType(directive, patch);
  }
  const out: JsonObject = { ...original };
  const rest: JsonObject = { ...patch };
  applyRetainKeys(out, rest);
  applySetElementOrder(out, rest, type);
  for (const [key, value] of Object.entries(rest)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const listKey = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      if (!Array.isArray(value)) throw errBadPatchFormatForPrimitiveList();
      const current = out[listKey];
      if (Array.isArray(current)) {
        out[listKey] = current.filter((item) => !value.some((v) => deepEqual(v, item)));
      }
      continue;
    }
    if (value === null) {
      delete out[key];
      continue;
    }
    const sub = childType(type, key);
    const current = out[key];
    if (current === undefined || current === null) {
      out[key] = fresh(value, sub);
    } else if (isObject(current) && isObject(value)) {
      out[key] = patchStrategies(sub).includes("replace")
        ? fresh(value, sub)
        : mergeMap(current, value, sub);
    } else if (Array.isArray(current) && Array.isArray(value)) {
      out[key] = mergeList(current, value, sub);
    } else {
      out[key] = fresh(value, sub);
    }
  }
  return out;
}

/** `$retainKeys`: keep only the listed keys of the original; every patched key must be listed. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw errBadPatchFormatForRetainKeys();
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    if (key.startsWith(SET_ELEMENT_ORDER) || retain.includes(key)) continue;
    throw errPatchContentNotMatchRetainKeys();
  }
  for (const key of Object.keys(original)) if (!retain.includes(key)) delete original[key];
}

/** `$setElementOrder/<list>`: merge the list (if patched) and order it as listed. */
function applySetElementOrder(original: JsonObject, patch: JsonObject, type: NodeType): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadPatchFormatForSetElementOrderList();
    const listKey = key.slice(SET_ELEMENT_ORDER.length);
    const sub = childType(type, listKey);
    const current = Array.isArray(original[listKey]) ? (original[listKey] as unknown[]) : [];
    const patched = patch[listKey];
    delete patch[listKey];
    if (patched === null) {
      delete original[listKey];
      continue;
    }
    const patchList = Array.isArray(patched) ? patched : [];
    original[listKey] = mergeList(current, patchList, sub, order);
  }
}

function itemKey(item: unknown, mergeKey: string | undefined): unknown {
  return mergeKey === undefined ? item : isObject(item) ? item[mergeKey] : undefined;
}

function indexIn(list: readonly unknown[], item: unknown, mergeKey: string | undefined): number {
  const key = itemKey(item, mergeKey);
  return list.findIndex((other) => deepEqual(itemKey(other, mergeKey), key));
}

/** normalizeSliceOrder: `items` sorted stably by their position in `order` (unlisted items first). */
function sortBy(
  items: unknown[],
  order: readonly unknown[],
  mergeKey: string | undefined,
): unknown[] {
  return items
    .map((item, i) => ({ item, i, at: indexIn(order, item, mergeKey) }))
    .sort((a, b) => (a.at >= 0 && b.at >= 0 ? a.at - b.at : a.i - b.i))
    .map((x) => x.item);
}

/**
 * mergeSortedSlice: patch items in patch order, each server-only item placed before the first patch
 * item that comes after it in the live list (so new items come before the server-only ones that follow).
 */
function mergeSorted(
  serverOnly: unknown[],
  patched: unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string | undefined,
): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patched.length) {
    if (i >= serverOnly.length) out.push(patched[j++]);
    else if (j >= patched.length) out.push(serverOnly[i++]);
    else {
      const li = indexIn(serverOrder, serverOnly[i], mergeKey);
      const ri = indexIn(serverOrder, patched[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(patched[j++]);
    }
  }
  return out;
}

function mergeList(
  original: unknown[],
  patch: unknown[],
  type: NodeType,
  order?: unknown[],
): unknown[] {
  const strategies = patchStrategies(type);
  if (!strategies.includes("merge")) {
    return patch.map((item) => fresh(item, type.items ?? {}));
  }
  if (original.length === 0 && patch.length === 0 && !order) return original;
  const all = [...original, ...patch];
  if (all.some(Array.isArray)) throw errNoListOfLists();
  const objects = all.some(isObject);
  const mergeKey = objects ? type.field?.patchMergeKey : undefined;
  let merged: unknown[];
  let patchItems: unknown[] = patch;
  if (!objects) {
    merged = [];
    for (const item of all) if (!merged.some((m) => deepEqual(m, item))) merged.push(item);
  } else {
    if (mergeKey === undefined) {
      throw new PatchError(
        500,
        `cannot merge lists without merge key for ${type.items?.definition ?? ""}`,
      );
    }
    let base = original;
    let replace = false;
    patchItems = [];
    for (const item of patch) {
      if (!isObject(item) || !Object.hasOwn(item, DIRECTIVE)) {
        patchItems.push(item);
        continue;
      }
      const directive = item[DIRECTIVE];
      if (directive === "delete") {
        if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
        base = base.filter((o) => !deepEqual(itemKey(o, mergeKey), item[mergeKey]));
      } else if (directive === "replace") {
        replace = true;
      } else if (directive === "merge") {
        throw new PatchError(500, "merging lists cannot yet be specified in the patch");
      } else {
        throw errBadPatchType(directive, item);
      }
    }
    const itemType = type.items ?? {};
    if (replace) return patchItems.map((item) => fresh(item, itemType));
    merged = [...base];
    for (const item of patchItems) {
      if (!isObject(item) || !Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      const at = indexIn(merged, item, mergeKey);
      if (at >= 0) merged[at] = mergeMap(merged[at] as JsonObject, item, itemType);
      else merged.push(fresh(item, itemType));
    }
  }
  // enforce the order: patch items as the patch (or $setElementOrder) lists them, server-only items kept
  // in their live order around them.
  const patchOrder = order ?? patchItems;
  const inPatch = merged.filter((m) => indexIn(patchOrder, m, mergeKey) >= 0);
  const serverOnly = merged.filter((m) => indexIn(patchOrder, m, mergeKey) < 0);
  return mergeSorted(
    sortBy(serverOnly, original, mergeKey),
    sortBy(inPatch, patchOrder, mergeKey),
    original,
    mergeKey,
  );
}

/**
 * Applies a strategic merge patch to a copy of `target`, an object of the OpenAPI definition `definition`
 * (`io.k8s.api.apps.v1.Deployment`). Lists whose field has the `merge` strategy merge by their patch merge
 * key (containers by `name`, container ports by `containerPort`, env by `name`) or, for scalars, as a set;
 * other lists are replaced. Directives: `$patch: replace | delete` in maps and `$patch: replace | delete`
 * list items, `$retainKeys`, `$deleteFromPrimitiveList/<list>`, `$setElementOrder/<list>`; `null` deletes a key.
 * New list items come before the live items that follow them, as the server orders them.
 *
 * A definition without strategic-merge metadata (a custom resource) falls back to merge-patch semantics;
 * the server itself refuses strategic merge for custom resources with 415 (see {@link supportsStrategicMerge}).
 *
 * @throws {PatchError} 400 for malformed directives, 422 for lists of lists or a `$retainKeys` mismatch,
 * 500 (as the real server answers) for unknown `$patch` values and list items without their merge key.
 */
export function applyStrategicMergePatch(
  target: unknown,
  patch: unknown,
  definition: string,
): unknown {
  if (!supportsStrategicMerge(definition)) return applyMergePatch(target, patch);
  if (!isObject(patch)) {
    throw new PatchError(
      400,
      `json: cannot unmarshal ${Array.isArray(patch) ? "array" : typeof patch} into Go value of type map[string]interface {}`,
    );
  }
  const original = isObject(target) ? structuredClone(target) : {};
  return mergeMap(original, structuredClone(patch), rootType(definition));
}

export { supportsStrategicMerge };

/**
 * The 415 the API server answers a strategic merge patch of a custom resource with: the CR handler
 * accepts only JSON patch, merge patch and apply (negotiation.NewUnsupportedMediaTypeError in
 * k8s.io/apiserver/pkg/endpoints/handlers/patch.go, with the CR handler's patch types).
 */
export function strategicMergeUnsupportedError(): PatchError {
  return new PatchError(
    415,
    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
  );
}
