/** `GET /version` (`k8s.io/apimachinery/pkg/version.Info`). */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/** `GET /api`: the versions of the core group. */
export interface APIVersions {
  kind: "APIVersions";
  versions: string[];
  serverAddressByClientCIDRs: { clientCIDR: string; serverAddress: string }[];
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion?: GroupVersionForDiscovery;
}

/** `GET /apis`: the named API groups. */
export interface APIGroupList {
  kind: "APIGroupList";
  apiVersion: "v1";
  groups: APIGroup[];
}

/** One entry of `GET /api/v1` or `/apis/<group>/<version>` (legacy discovery). Subresources appear as `pods/log`. */
export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

export interface APIResourceList {
  kind: "APIResourceList";
  apiVersion?: "v1";
  groupVersion: string;
  resources: APIResource[];
}

/** Aggregated discovery (`apidiscovery.k8s.io` v2beta1 in 1.26–1.29, v2 from 1.30): one document for all groups. */
export interface APIGroupDiscoveryList {
  kind: "APIGroupDiscoveryList";
  apiVersion: string;
  items: APIGroupDiscovery[];
}

export interface APIGroupDiscovery {
  metadata: { name?: string };
  /** Versions, preferred first. */
  versions: APIVersionDiscovery[];
}

export interface APIVersionDiscovery {
  version: string;
  resources?: APIResourceDiscovery[];
  /** `Stale` when an aggregated API server could not be reached. */
  freshness?: "Current" | "Stale";
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface APIResourceDiscovery {
  resource: string;
  responseKind?: GroupVersionKind;
  scope: "Cluster" | "Namespaced";
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: { subresource: string; responseKind?: GroupVersionKind; verbs: string[] }[];
}
