import type { KubeObject } from "@kin/client";
import type { IndexFunc } from "./store.js";

/** Indexes by `metadata.namespace` (`""` for cluster-scoped objects), as client-go's `MetaNamespaceIndexFunc`. */
export const byNamespace: IndexFunc<KubeObject> = (object) => [object.metadata?.namespace ?? ""];

/** Indexes by the value of label `key`; objects without it are not indexed. */
export function byLabel(key: string): IndexFunc<KubeObject> {
  return (object) => {
    const value = object.metadata?.labels?.[key];
    return value === undefined ? [] : [value];
  };
}

/**
 * Indexes by the `uid` of each owner in `metadata.ownerReferences` (only the controller's with
 * `{ controllerOnly: true }`): `store.byIndex("owner", deployment.metadata.uid)` are its dependents.
 */
export function byOwner(options: { controllerOnly?: boolean } = {}): IndexFunc<KubeObject> {
  return (object) =>
    (object.metadata?.ownerReferences ?? [])
      .filter((owner) => !options.controllerOnly || owner.controller === true)
      .map((owner) => owner.uid);
}

/** Indexes pods by `spec.nodeName`; pods not yet scheduled are not indexed. */
export const byNode: IndexFunc<KubeObject & { spec?: { nodeName?: string } }> = (pod) =>
  pod.spec?.nodeName ? [pod.spec.nodeName] : [];
