// What the server serves: every built-in resource of @kin/resources' catalogue, plus the custom
// resources of established CustomResourceDefinitions. Keyed by group/version/resource.
import {
  builtinGroupOrder,
  builtinResources,
  compareVersions,
  type ResourceDescriptor,
} from "@kin/resources";
import { patchMetadataRoots } from "@kin/resources/patch-metadata";

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

/** The group and resource a Status message names (`deployments.apps "x" not found`). */
export const groupResource = (served: Served) => ({
  group: served.descriptor.group,
  resource: served.descriptor.plural,
});

/** The group and kind a 422 Invalid names (`Deployment.apps "x" is invalid`). */
export const groupKind = (served: Served) => ({
  group: served.descriptor.group,
  kind: served.descriptor.kind,
});

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
      const i = builtinGroupOrder.indexOf(g);
      return i === -1 ? builtinGroupOrder.length : i;
    };
    this.#groups = [...versions.entries()]
      .map(([name, set]) => ({ name, versions: [...set].sort(compareVersions) }))
      .sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : 1));
    return this.#groups;
  }
}
