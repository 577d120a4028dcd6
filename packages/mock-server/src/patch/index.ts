// The API server's patch and apply semantics as pure functions (no I/O, no routing).

export type { FieldPath, FieldSet } from "./fieldSet.js";
export { formatFieldPath, fromFieldsV1, toFieldsV1 } from "./fieldSet.js";
export { applyJsonPatch, JSON_PATCH_REJECTED_MESSAGE, parseJsonPointer } from "./jsonPatch.js";
export type { ManagedFieldsEntry, UpdateManagedFieldsOptions } from "./managedFields.js";
export { decodeManagedFields, encodeManagedFields, updateManagedFields } from "./managedFields.js";
export { applyMergePatch } from "./mergePatch.js";
export type { ApplyConflict, PatchErrorOptions } from "./patchError.js";
export { PatchError } from "./patchError.js";
export type { ServerSideApplyOptions } from "./serverSideApply.js";
export { serverSideApply } from "./serverSideApply.js";
export {
  applyStrategicMergePatch,
  strategicMergeUnsupportedError,
  supportsStrategicMerge,
} from "./strategicMergePatch.js";
