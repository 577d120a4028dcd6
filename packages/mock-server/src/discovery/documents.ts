// Discovery documents: /api, /apis, /apis/<group>, the resource lists of each group/version, and
// aggregated discovery (apidiscovery.k8s.io/v2beta1, what 1.28 serves; v2 came in 1.30), built from
// the catalogue. Shapes: staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go (APIVersions,
// APIGroupList, APIGroup, APIResourceList) and k8s.io/api/apidiscovery/v2beta1/types.go.
import { createHash } from "node:crypto";
import type { APIResource, APIResourceDiscovery, APIVersionDiscovery } from "@kin/resources";
import type { Catalogue, Served } from "./catalogue.js";

export const AGGREGATED_V2BETA1 =
  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

const groupVersion = (group: string, version: string) =>
  group === "" ? version : `${group}/${version}`;

/** Which document an `Accept` header asks for: aggregated, legacy, or none the server can write. */
export function negotiateDiscovery(accept: string | null): "aggregated" | "legacy" | "none" {
  if (!accept) return "legacy";
  let legacy = false;
  for (const item of accept.split(",")) {
    const [type = "", ...params] = item.split(";").map((s) => s.trim());
    const p = Object.fromEntries(
      params.map((kv) => kv.split("=").map((s) => s.trim()) as [string, string]),
    );
    if (type === "application/json" && p.g === "apidiscovery.k8s.io") {
      if (p.v === "v2beta1" && p.as === "APIGroupDiscoveryList") return "aggregated";
      continue; // v2 (1.30+) and anything else: not known to a 1.28 server
    }
    if (["application/json", "*/*", "application/*", "application/yaml"].includes(type))
      legacy = true;
    if (type === "application/vnd.kubernetes.protobuf") legacy = true;
  }
  return legacy ? "legacy" : "none";
}

/** One entry of an APIResourceList, then its subresources' entries. */
function resourceEntries(served: Served): APIResource[] {
  const d = served.descriptor;
  const entries: APIResource[] = [
    {
      name: d.plural,
      singularName: d.singular ?? d.kind.toLowerCase(),
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: [...(d.verbs ?? [])],
      ...(d.shortNames?.length ? { shortNames: [...d.shortNames] } : {}),
      ...(d.categories?.length ? { categories: [...d.categories] } : {}),
    },
  ];
  for (const [name, sub] of Object.entries(d.subresources ?? {}).sort(([a], [b]) =>
    a < b ? -1 : 1,
  )) {
    const [subGroup, subVersion] = sub.apiVersion?.includes("/")
      ? (sub.apiVersion.split("/") as [string, string])
      : ["", sub.apiVersion ?? d.version];
    const foreign = sub.apiVersion !== undefined && sub.apiVersion !== d.apiVersion;
    entries.push({
      name: `${d.plural}/${name}`,
      singularName: "",
      namespaced: d.namespaced,
      ...(foreign ? { group: subGroup, version: subVersion } : {}),
      kind: sub.kind ?? d.kind,
      verbs: [...sub.verbs],
    });
  }
  return entries;
}

function aggregatedResource(served: Served): APIResourceDiscovery {
  const d = served.descriptor;
  const subresources = Object.entries(d.subresources ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, sub]) => {
      const [g, v] = sub.apiVersion?.includes("/")
        ? (sub.apiVersion.split("/") as [string, string])
        : ["", sub.apiVersion ?? d.version];
      return {
        subresource: name,
        responseKind: { group: sub.apiVersion ? g : d.group, version: v, kind: sub.kind ?? d.kind },
        verbs: [...sub.verbs],
      };
    });
  return {
    resource: d.plural,
    responseKind: { group: d.group, version: d.version, kind: d.kind },
    scope: d.namespaced ? "Namespaced" : "Cluster",
    singularResource: d.singular ?? d.kind.toLowerCase(),
    verbs: [...(d.verbs ?? [])],
    ...(d.shortNames?.length ? { shortNames: [...d.shortNames] } : {}),
    ...(d.categories?.length ? { categories: [...d.categories] } : {}),
    ...(subresources.length ? { subresources } : {}),
  };
}

export interface Document {
  body: string;
  etag: string;
}

const doc = (value: unknown): Document => {
  const body = JSON.stringify(value);
  return { body, etag: `"${createHash("sha256").update(body).digest("hex").toUpperCase()}"` };
};

/** Discovery documents, rebuilt when the catalogue changes (a CRD comes or goes). */
export class DiscoveryDocuments {
  #generation = -1;
  #cache = new Map<string, Document>();

  constructor(private readonly catalogue: Catalogue) {}

  #cached(key: string, build: () => unknown): Document {
    if (this.#generation !== this.catalogue.generation) {
      this.#cache.clear();
      this.#generation = this.catalogue.generation;
    }
    let d = this.#cache.get(key);
    if (!d) {
      d = doc(build());
      this.#cache.set(key, d);
    }
    return d;
  }

  /** `GET /api`: APIVersions, exactly the docs' shape. */
  apiVersions(serverAddress: string): Document {
    return doc({
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
    });
  }

  #group(name: string, versions: string[]) {
    const list = versions.map((v) => ({ groupVersion: groupVersion(name, v), version: v }));
    return { name, versions: list, preferredVersion: list[0] };
  }

  /** `GET /apis`: APIGroupList of the named groups. */
  groupList(): Document {
    return this.#cached("groups", () => ({
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: this.catalogue
        .groups()
        .filter((g) => g.name !== "")
        .map((g) => this.#group(g.name, g.versions)),
    }));
  }

  /** `GET /apis/<group>`: APIGroup; `undefined` when not served. */
  group(name: string): Document | undefined {
    const info = this.catalogue.groups().find((g) => g.name === name && name !== "");
    if (!info) return undefined;
    return this.#cached(`group:${name}`, () => ({
      kind: "APIGroup",
      apiVersion: "v1",
      ...this.#group(info.name, info.versions),
    }));
  }

  /** `GET /api/v1`, `GET /apis/<group>/<version>`: APIResourceList; `undefined` when not served. */
  resourceList(group: string, version: string): Document | undefined {
    if (!this.catalogue.hasGroupVersion(group, version)) return undefined;
    return this.#cached(`resources:${group}/${version}`, () => ({
      kind: "APIResourceList",
      // The core list carries no apiVersion (it predates API groups); group lists do.
      ...(group === "" ? {} : { apiVersion: "v1" }),
      groupVersion: groupVersion(group, version),
      resources: this.catalogue.resources(group, version).flatMap(resourceEntries),
    }));
  }

  /** Aggregated discovery of `/api` (core) or `/apis` (named groups). */
  aggregated(core: boolean): Document {
    return this.#cached(`aggregated:${core}`, () => ({
      kind: "APIGroupDiscoveryList",
      apiVersion: "apidiscovery.k8s.io/v2beta1",
      metadata: {},
      items: this.catalogue
        .groups()
        .filter((g) => (g.name === "") === core)
        .map((g) => ({
          metadata: { ...(g.name ? { name: g.name } : {}), creationTimestamp: null },
          versions: g.versions.map(
            (version): APIVersionDiscovery => ({
              version,
              resources: this.catalogue.resources(g.name, version).map(aggregatedResource),
              freshness: "Current",
            }),
          ),
        })),
    }));
  }
}
