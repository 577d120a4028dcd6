import type { KubeObject, ResourceDescriptor } from "@kin/client";

const groupOf = (apiVersion: string) => {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
};

/** Options of {@link ownerKeys}. */
export interface OwnerKeysOptions {
  /** Only the owner reference with `controller: true` (at most one). Default true. */
  controllerOnly?: boolean;
}

/**
 * The store keys of `object`'s owners of kind `owner` (any version of its group), from
 * `metadata.ownerReferences`: what a controller of the owner kind enqueues when a dependent changes.
 * A namespaced owner is in the dependent's namespace (owner references cannot cross namespaces).
 */
export function ownerKeys(
  object: KubeObject,
  owner: Pick<ResourceDescriptor, "group" | "kind" | "namespaced">,
  options: OwnerKeysOptions = {},
): string[] {
  const controllerOnly = options.controllerOnly ?? true;
  const namespace = object.metadata?.namespace;
  const keys: string[] = [];
  for (const reference of object.metadata?.ownerReferences ?? []) {
    if (controllerOnly && reference.controller !== true) continue;
    if (reference.kind !== owner.kind || groupOf(reference.apiVersion) !== owner.group) continue;
    if (!owner.namespaced) keys.push(reference.name);
    else if (namespace) keys.push(`${namespace}/${reference.name}`);
  }
  return keys;
}

/**
 * An owner reference to `owner` for a dependent's `metadata.ownerReferences`, as controller-runtime's
 * `SetControllerReference`: `controller: true` and `blockOwnerDeletion: true` by default.
 * @throws {TypeError} when the owner lacks apiVersion, kind, name or uid.
 */
export function ownerReference(
  owner: KubeObject,
  options: { controller?: boolean; blockOwnerDeletion?: boolean } = {},
): {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
} {
  const { apiVersion, kind } = owner;
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  for (const [field, value] of Object.entries({
    apiVersion,
    kind,
    "metadata.name": name,
    "metadata.uid": uid,
  }))
    if (!value) throw new TypeError(`ownerReference: the owner has no ${field}`);
  return {
    apiVersion: apiVersion as string,
    kind: kind as string,
    name: name as string,
    uid: uid as string,
    controller: options.controller ?? true,
    blockOwnerDeletion: options.blockOwnerDeletion ?? true,
  };
}
