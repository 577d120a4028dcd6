import type { KubeObject } from "./meta.js";
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  InvalidNameError,
  pathSegmentNameErrors,
} from "./names.js";

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

/** Throws {@link InvalidNameError} naming `field` when `problems` is not empty. */
function refuse(field: string, value: string, problems: string[]): void {
  if (problems.length > 0) throw new InvalidNameError(field, value, problems);
}

/**
 * The URL path of a collection, or of one object when `name` is given: `/api/v1/namespaces/ns/pods/name`.
 * Every part stays in its segment: the descriptor's group must be a DNS-1123 subdomain (or empty),
 * its version and plural DNS-1123 labels, the namespace and name path-segment names (encoded).
 * @throws {InvalidNameError} naming the part that is not (descriptors may come from a server's discovery).
 */
export function resourcePath(
  descriptor: ResourceDescriptor,
  namespace: string | undefined,
  name?: string,
): string {
  if (descriptor.group !== "")
    refuse("group", descriptor.group, dns1123SubdomainErrors(descriptor.group));
  refuse("version", descriptor.version, dns1123LabelErrors(descriptor.version));
  refuse("plural", descriptor.plural, dns1123LabelErrors(descriptor.plural));
  if (namespace !== undefined) refuse("namespace", namespace, pathSegmentNameErrors(namespace));
  if (name !== undefined) refuse("name", name, pathSegmentNameErrors(name));
  const root =
    descriptor.group === "" ? `/api/${descriptor.version}` : `/apis/${descriptor.apiVersion}`;
  const scope = namespace === undefined ? "" : `/namespaces/${encodeURIComponent(namespace)}`;
  const object = name === undefined ? "" : `/${encodeURIComponent(name)}`;
  return `${root}${scope}/${descriptor.plural}${object}`;
}
