import type { KubeObject } from "./meta.js";

/** A verb the API server accepts on a resource, as discovery lists it. */
export type Verb =
  | "create"
  | "delete"
  | "deletecollection"
  | "get"
  | "list"
  | "patch"
  | "update"
  | "watch";

/** A subresource of a kind (`pods/log`, `deployments/scale`, ...). */
export interface SubresourceDescriptor {
  /** What can be done on it, e.g. `["get", "patch", "update"]` for `status`; `get`/`create` for connect ones (`exec`, `attach`). */
  readonly verbs: readonly string[];
  /** `apiVersion` of the object it takes or returns when the spec names one (`autoscaling/v1` for `scale`). */
  readonly apiVersion?: string;
  /** Kind of the object it takes or returns when the spec names one (`Scale`, `Eviction`, `Binding`, `TokenRequest`). */
  readonly kind?: string;
}

/**
 * Everything needed to address a kind of resource over REST, without asking the server.
 * `T` is the object type; `Namespaced` says whether its objects live in a namespace.
 * The six first fields are always there; the others are filled in for every built-in kind
 * and by {@link defineResource}, and may be absent on descriptors written by hand.
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
  /** The lower-case singular, e.g. `pod` (what `kubectl get pod` accepts). */
  readonly singular?: string;
  /** Verbs of the resource itself (not its subresources), as discovery lists them. */
  readonly verbs?: readonly string[];
  /** The kind of its lists, e.g. `PodList`. Absent for kinds that cannot be listed (`TokenReview`). */
  readonly listKind?: string;
  /** Short names (`po`, `deploy`); built-ins from a table kept by hand (not in the OpenAPI spec). */
  readonly shortNames?: readonly string[];
  /** Categories (`all`, `api-extensions`); built-ins from the same hand-kept table. */
  readonly categories?: readonly string[];
  /** Subresources by name: `status`, `scale`, `log`, `exec`, `eviction`, ... */
  readonly subresources?: Readonly<Record<string, SubresourceDescriptor>>;
  /** Type-only marker tying the descriptor to its object type; always `undefined` at run time. */
  readonly __type?: T;
}

/** The object type a descriptor describes: `ObjectOf<typeof Pod>` is `Pod`. */
export type ObjectOf<D> = D extends ResourceDescriptor<infer T, boolean> ? T : never;

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
