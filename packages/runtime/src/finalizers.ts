import { type CallOptions, type KubeObject, mergePatch, type ResourceApi } from "@kin/client";

/** Whether `object` carries `finalizer`. */
export function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return object.metadata?.finalizers?.includes(finalizer) ?? false;
}

async function setFinalizers<T extends KubeObject>(
  api: ResourceApi<T>,
  object: T,
  finalizers: string[],
  options: CallOptions & { fieldManager?: string },
): Promise<T> {
  const name = object.metadata?.name;
  const resourceVersion = object.metadata?.resourceVersion;
  if (!name) throw new TypeError("finalizers: the object has no metadata.name");
  if (!resourceVersion)
    throw new TypeError("finalizers: the object has no metadata.resourceVersion");
  // A merge patch that names the resourceVersion it was computed from: the server answers 409
  // Conflict if the object changed since (controller-runtime's MergeFromWithOptimisticLock), so a
  // finalizer another writer added or removed meanwhile is never lost.
  return api.patch(
    name,
    mergePatch({
      metadata: { finalizers: finalizers.length > 0 ? finalizers : null, resourceVersion },
    }),
    options,
  );
}

/**
 * Adds `finalizer` to `object` with a patch guarded by its resourceVersion (409 `isConflict()` if the
 * object changed since it was read: read it again and retry). Returns the updated object, or `object`
 * itself when the finalizer is already there (no request).
 */
export async function addFinalizer<T extends KubeObject>(
  api: ResourceApi<T>,
  object: T,
  finalizer: string,
  options: CallOptions & { fieldManager?: string } = {},
): Promise<T> {
  if (hasFinalizer(object, finalizer)) return object;
  return setFinalizers(api, object, [...(object.metadata?.finalizers ?? []), finalizer], options);
}

/**
 * Removes `finalizer` from `object` with a patch guarded by its resourceVersion (409 `isConflict()` if
 * the object changed since). Returns the updated object — or `object` itself when the finalizer is not
 * there (no request). Removing the last finalizer of an object being deleted lets the server delete it.
 */
export async function removeFinalizer<T extends KubeObject>(
  api: ResourceApi<T>,
  object: T,
  finalizer: string,
  options: CallOptions & { fieldManager?: string } = {},
): Promise<T> {
  if (!hasFinalizer(object, finalizer)) return object;
  return setFinalizers(
    api,
    object,
    (object.metadata?.finalizers ?? []).filter((f) => f !== finalizer),
    options,
  );
}
