import type { KubeObject } from "@kin/client";

/**
 * The store key of an object, as client-go's `MetaNamespaceKeyFunc`: `namespace/name`, or `name` for
 * cluster-scoped objects.
 * @throws {TypeError} when the object has no `metadata.name`.
 */
export function objectKey(object: KubeObject): string {
  const name = object.metadata?.name;
  if (!name) throw new TypeError("objectKey: the object has no metadata.name");
  const namespace = object.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

/** The namespace and name of a store key (`namespace` is `undefined` for cluster-scoped keys). */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf("/");
  if (slash === -1) return { namespace: undefined, name: key };
  if (slash === 0 || slash === key.length - 1 || key.indexOf("/", slash + 1) !== -1)
    throw new TypeError(`splitKey: ${JSON.stringify(key)} is not "namespace/name" or "name"`);
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
