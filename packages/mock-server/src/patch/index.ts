// The API server's patch and apply semantics as pure functions (no I/O, no routing).

export { applyJsonPatch, JSON_PATCH_REJECTED_MESSAGE, parseJsonPointer } from "./jsonPatch.js";
export { applyMergePatch } from "./mergePatch.js";
export type { ApplyConflict, PatchErrorOptions } from "./patchError.js";
export { PatchError } from "./patchError.js";
export { applyStrategicMergePatch, supportsStrategicMerge } from "./strategicMergePatch.js";
