import type { KubeObject } from "./meta.js";

/**
 * Everything needed to address a kind of resource over REST, without asking the server.
 * `T` is the object type; `Namespaced` says whether its objects live in a namespace.
 */
export interface ResourceDescriptor<
  T extends KubeObject = KubeObject,
  Namespaced extends boolean = boolean,
> {
  /** API group, `""` for the core group. */
  readonly group: string;
  readonly version: string;
  /** `version` for the core group, `group/version` otherwise. */
  readonly apiVersion: string;
  readonly kind: string;
  /** The lower-case plural used in URLs, e.g. `pods`. */
  readonly plural: string;
  readonly namespaced: Namespaced;
  /** Type-only marker tying the descriptor to its object type; always `undefined` at run time. */
  readonly __type?: T;
}

/** The URL path of a collection, or of one object when `name` is given: `/api/v1/namespaces/ns/pods/name`. */
export function resourcePath(
  descriptor: ResourceDescriptor,
  namespace: string | undefined,
  name?: string,
): string {
  const root =
    descriptor.group === "" ? `/api/${descriptor.version}` : `/apis/${descriptor.apiVersion}`;
  const scope = namespace === undefined ? "" : `/namespaces/${encodeURIComponent(namespace)}`;
  const object = name === undefined ? "" : `/${encodeURIComponent(name)}`;
  return `${root}${scope}/${descriptor.plural}${object}`;
}
