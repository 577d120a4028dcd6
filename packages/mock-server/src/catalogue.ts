// What the server serves: every built-in resource of @kin/resources' catalogue, plus the custom
// resources of established CustomResourceDefinitions. Keyed by group/version/resource.
import { builtinResources, patchMetadataRoots, type ResourceDescriptor } from "@kin/resources";

/** A served resource: its descriptor and what the registry needs to know about it. */
export interface Served {
  readonly descriptor: ResourceDescriptor;
  /** `group/version/plural`: the storage key of its objects. */
  readonly key: string;
  /** The OpenAPI definition (`io.k8s.api.apps.v1.Deployment`), for built-ins. */
  readonly definition?: string;
  /** For custom resources: the CRD version's schema and subresource paths. */
  readonly custom?: CustomInfo;
}

export interface CustomInfo {
  /** The CRD object's name (`widgets.example.com`). */
  crd: string;
  /** `openAPIV3Schema` of this version, if any. */
  schema?: Record<string, unknown>;
  /** `subresources.scale` of this version, if declared. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

export const resourceKey = (group: string, version: string, plural: string) =>
  `${group}/${version}/${plural}`;

/**
 * The order /apis lists the built-in groups in, from kube-aggregator's `apiVersionPriorities`
 * (pkg/controlplane/aggregator.go, v1.28): what `kubectl get --raw /apis` shows on a 1.28 cluster.
 * Custom groups follow, by name (their APIService priority is 1000).
 */
const GROUP_ORDER = [
  "",
  "apiregistration.k8s.io",
  "apps",
  "events.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "autoscaling",
  "batch",
  "certificates.k8s.io",
  "networking.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "scheduling.k8s.io",
  "coordination.k8s.io",
  "node.k8s.io",
  "discovery.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "internal.apiserver.k8s.io",
  "resource.k8s.io",
];

/** `version.CompareKubeAwareVersionStrings`: GA before beta before alpha, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0, v] as const;
    const stage = m[2] === undefined ? 3 : m[2] === "beta" ? 2 : 1;
    return [1, stage, Number(m[1]), Number(m[3] ?? 0)] as const;
  };
  const [ka, sa, ma, na] = parse(a);
  const [kb, sb, mb, nb] = parse(b);
  if (ka !== kb) return kb - ka;
  if (ka === 0) return a < b ? -1 : a > b ? 1 : 0;
  if (sa !== sb) return (sb as number) - (sa as number);
  if (ma !== mb) return (mb as number) - (ma as number);
  return (nb as number) - (na as number);
}

export interface GroupInfo {
  name: string;
  /** Versions, preferred first. */
  versions: string[];
}

export class Catalogue {
  readonly #byKey = new Map<string, Served>();
  /** apiVersion/kind → served (the first version that serves it). */
  readonly #byKind = new Map<string, Served>();
  #generation = 0;
  #groups: GroupInfo[] | undefined;

  constructor() {
    for (const descriptor of builtinResources) {
      const definition = patchMetadataRoots[`${descriptor.apiVersion}/${descriptor.kind}`];
      this.add({
        descriptor,
        key: resourceKey(descriptor.group, descriptor.version, descriptor.plural),
        ...(definition ? { definition } : {}),
      });
    }
  }

  /** Bumped on every change: discovery documents are cached against it. */
  get generation(): number {
    return this.#generation;
  }

  add(served: Served): void {
    this.#byKey.set(served.key, served);
    this.#byKind.set(`${served.descriptor.apiVersion}/${served.descriptor.kind}`, served);
    this.#generation++;
    this.#groups = undefined;
  }

  remove(key: string): void {
    const served = this.#byKey.get(key);
    if (!served) return;
    this.#byKey.delete(key);
    this.#byKind.delete(`${served.descriptor.apiVersion}/${served.descriptor.kind}`);
    this.#generation++;
    this.#groups = undefined;
  }

  get(group: string, version: string, plural: string): Served | undefined {
    return this.#byKey.get(resourceKey(group, version, plural));
  }

  byKey(key: string): Served | undefined {
    return this.#byKey.get(key);
  }

  byKind(apiVersion: string, kind: string): Served | undefined {
    return this.#byKind.get(`${apiVersion}/${kind}`);
  }

  /** Whether `group/version` is served at all (for 404 vs. an empty list). */
  hasGroupVersion(group: string, version: string): boolean {
    return this.groups().some((g) => g.name === group && g.versions.includes(version));
  }

  /** Resources of one group/version, in the order discovery lists them (by name). */
  resources(group: string, version: string): Served[] {
    return [...this.#byKey.values()]
      .filter((s) => s.descriptor.group === group && s.descriptor.version === version)
      .sort((a, b) => (a.descriptor.plural < b.descriptor.plural ? -1 : 1));
  }

  /** Every served group, in /apis order, versions preferred first. */
  groups(): GroupInfo[] {
    if (this.#groups) return this.#groups;
    const versions = new Map<string, Set<string>>();
    for (const { descriptor } of this.#byKey.values()) {
      const set = versions.get(descriptor.group) ?? new Set();
      set.add(descriptor.version);
      versions.set(descriptor.group, set);
    }
    const rank = (g: string) => {
      const i = GROUP_ORDER.indexOf(g);
      return i === -1 ? GROUP_ORDER.length : i;
    };
    this.#groups = [...versions.entries()]
      .map(([name, set]) => ({ name, versions: [...set].sort(compareVersions) }))
      .sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : 1));
    return this.#groups;
  }
}
