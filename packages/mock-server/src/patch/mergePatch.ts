// RFC 7386 JSON merge patch, as the API server applies `application/merge-patch+json`
// (evanphx/json-patch `MergePatch`, called from k8s.io/apiserver/pkg/endpoints/handlers/patch.go).

import { clone, isObject } from "./json.js";
import { PatchError } from "./patchError.js";

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return withoutNulls(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = merge(out[key], value);
  }
  return out;
}

/**
 * Applies an RFC 7386 merge patch to a copy of `target`: objects merge, `null` deletes a key, anything
 * else (lists included) replaces. A top-level list replaces the whole document, as evanphx/json-patch does
 * (the caller's decoding then refuses it).
 *
 * @throws {PatchError} 400 `Invalid JSON Patch` (jsonpatch.ErrBadJSONPatch, which the server answers as
 * a BadRequest) when the patch is `null` or a scalar.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch) && !Array.isArray(patch)) {
    throw new PatchError(400, "Invalid JSON Patch");
  }
  return merge(clone(target), patch);
}
