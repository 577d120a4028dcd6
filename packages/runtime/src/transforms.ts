import type { KubeObject } from "@kin/client";

/** A transform that drops `metadata.managedFields` (often half an object's size) before caching. */
export function stripManagedFields<T extends KubeObject>(object: T): T {
  if (object.metadata?.managedFields === undefined) return object;
  const { managedFields: _, ...metadata } = object.metadata;
  return { ...object, metadata };
}
