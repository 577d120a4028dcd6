// Aggregated discovery (`apidiscovery.k8s.io`): one document for every group of `/api` or `/apis`.
// Not in the v1.28 OpenAPI spec (the server serves it by content negotiation, not as a resource),
// so written by hand from k8s.io/api/apidiscovery/v2beta1/types.go (v1.28), which v2 (1.30+)
// repeats field for field. The legacy documents (`APIVersions`, `APIGroupList`, `APIGroup`,
// `APIResourceList`, `APIResource`) are in the spec and generated.
import type { ListMeta, ObjectMeta } from "./types.generated.js";

/** `metav1.GroupVersionKind`: a kind of a group/version (`""` is the core group). */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/**
 * `GET /api` or `GET /apis` with
 * `Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList` (v2, 1.30+) or
 * `v=v2beta1` (1.26–1.29): every group the path serves, in the server's priority order.
 */
export interface APIGroupDiscoveryList {
  apiVersion?: "apidiscovery.k8s.io/v2" | "apidiscovery.k8s.io/v2beta1";
  kind?: "APIGroupDiscoveryList";
  metadata?: ListMeta;
  items: APIGroupDiscovery[];
}

/** One group: `metadata.name` is its name (absent for the core group). */
export interface APIGroupDiscovery {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  /** Versions, preferred first. */
  versions?: APIVersionDiscovery[];
}

/** One version of a group and its resources. */
export interface APIVersionDiscovery {
  version: string;
  resources?: APIResourceDiscovery[];
  /** `Stale` when an aggregated API server could not be reached: its resources may be out of date or missing. */
  freshness?: "Current" | "Stale";
}

/** One resource of a group/version. */
export interface APIResourceDiscovery {
  /** The plural name (`pods`). */
  resource: string;
  /** The kind of its objects; absent for resources that return none. */
  responseKind?: GroupVersionKind;
  scope: "Cluster" | "Namespaced";
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: APISubresourceDiscovery[];
}

/** One subresource of a resource (`status`, `scale`, `log`…). */
export interface APISubresourceDiscovery {
  subresource: string;
  /** The kind it returns (`autoscaling/v1` Scale for `scale`); absent when it returns none. */
  responseKind?: GroupVersionKind;
  /** The kinds it accepts in a request body (`policy/v1` Eviction for `eviction`). */
  acceptedTypes?: GroupVersionKind[];
  verbs: string[];
}
