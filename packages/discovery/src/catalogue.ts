import type {
  APIGroupDiscoveryList,
  APIResourceList,
  ResourceDescriptor,
  SubresourceDescriptor,
} from "@kin/resources";

/** A group/version discovery could not read (an aggregated API server that is down). */
export interface DiscoveryFailure {
  /** `metrics.k8s.io/v1beta1`, or `v1` for the core group. */
  readonly groupVersion: string;
  readonly message: string;
}

/** A group and its versions, preferred first. */
export interface DiscoveredGroup {
  /** `""` for the core group. */
  readonly name: string;
  readonly versions: readonly string[];
  readonly preferredVersion: string;
}

/** Everything the server serves, as one snapshot. */
export interface Catalogue {
  /** Groups in the server's order (its priority: built-in groups before custom ones). */
  readonly groups: readonly DiscoveredGroup[];
  /** Every resource of every version, in the server's order. */
  readonly resources: readonly ResourceDescriptor[];
  /** Group/versions that could not be read; their resources are missing from `resources`. */
  readonly failures: readonly DiscoveryFailure[];
  /** How the snapshot was taken. */
  readonly source: "aggregated" | "legacy" | "disk";
  /** Requests it took (0 when read from disk). */
  readonly requests: number;
  /** When the snapshot was taken, milliseconds since the epoch. */
  readonly fetchedAt: number;
}

const apiVersionOf = (group: string, version: string) =>
  group === "" ? version : `${group}/${version}`;

/** Descriptors from an aggregated discovery document (`/api` or `/apis`). */
export function fromAggregated(list: APIGroupDiscoveryList): {
  groups: DiscoveredGroup[];
  resources: ResourceDescriptor[];
  failures: DiscoveryFailure[];
} {
  const groups: DiscoveredGroup[] = [];
  const resources: ResourceDescriptor[] = [];
  const failures: DiscoveryFailure[] = [];
  for (const item of list.items ?? []) {
    const group = item.metadata?.name ?? "";
    const versions = (item.versions ?? []).map((v) => v.version);
    if (versions.length === 0) continue;
    groups.push({ name: group, versions, preferredVersion: versions[0] as string });
    for (const version of item.versions ?? []) {
      if (version.freshness === "Stale") {
        failures.push({
          groupVersion: apiVersionOf(group, version.version),
          message: "stale: its API server did not answer the aggregator",
        });
        continue;
      }
      for (const r of version.resources ?? []) {
        const subresources: Record<string, SubresourceDescriptor> = {};
        for (const s of r.subresources ?? []) {
          subresources[s.subresource] = {
            verbs: s.verbs ?? [],
            ...(s.responseKind
              ? {
                  apiVersion: apiVersionOf(s.responseKind.group, s.responseKind.version),
                  kind: s.responseKind.kind,
                }
              : {}),
          };
        }
        resources.push({
          group,
          version: version.version,
          apiVersion: apiVersionOf(group, version.version),
          kind: r.responseKind?.kind ?? "",
          plural: r.resource,
          singular: r.singularResource || (r.responseKind?.kind ?? "").toLowerCase(),
          namespaced: r.scope === "Namespaced",
          verbs: r.verbs ?? [],
          shortNames: r.shortNames ?? [],
          categories: r.categories ?? [],
          subresources,
        });
      }
    }
  }
  return { groups, resources, failures };
}

/** Descriptors from one legacy `APIResourceList`; `pods/log`-style entries become subresources. */
export function fromResourceList(
  group: string,
  version: string,
  list: APIResourceList,
): ResourceDescriptor[] {
  const main = new Map<
    string,
    ResourceDescriptor & { subresources: Record<string, SubresourceDescriptor> }
  >();
  for (const r of list.resources ?? []) {
    if (r.name.includes("/")) continue;
    main.set(r.name, {
      group,
      version,
      apiVersion: apiVersionOf(group, version),
      kind: r.kind,
      plural: r.name,
      singular: r.singularName || r.kind.toLowerCase(),
      namespaced: r.namespaced,
      verbs: r.verbs ?? [],
      shortNames: r.shortNames ?? [],
      categories: r.categories ?? [],
      subresources: {},
    });
  }
  for (const r of list.resources ?? []) {
    const [parent, sub] = r.name.split("/");
    const owner = parent === undefined ? undefined : main.get(parent);
    if (!owner || sub === undefined) continue;
    const sameKind =
      (r.group ?? group) === group && (r.version ?? version) === version && r.kind === owner.kind;
    owner.subresources[sub] = {
      verbs: r.verbs ?? [],
      ...(r.kind && !sameKind
        ? { apiVersion: apiVersionOf(r.group ?? group, r.version ?? version), kind: r.kind }
        : {}),
      ...(sameKind ? { apiVersion: owner.apiVersion, kind: owner.kind } : {}),
    };
  }
  return [...main.values()];
}
