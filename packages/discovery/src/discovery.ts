import type {
  APIGroupDiscoveryList,
  APIGroupList,
  APIResourceList,
  APIVersions,
  Info,
  ResourceDescriptor,
} from "@kin/resources";
import type { Transport } from "@kin/transport";
import {
  type Catalogue,
  type DiscoveredGroup,
  type DiscoveryFailure,
  fromAggregated,
  fromResourceList,
} from "./catalogue.js";
import { readDiskCache, serverCacheDir, writeDiskCache } from "./diskCache.js";
import { DiscoveryError } from "./errors.js";
import { type KindQuery, resolveKind, resolveResource } from "./mapper.js";

/**
 * The Accept header of aggregated discovery, most preferred first: v2 (1.30+), v2beta1 (1.26–1.29),
 * then plain JSON, where the server answers the legacy documents.
 */
export const AGGREGATED_ACCEPT = [
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
  "application/json",
].join(",");

/** Options of {@link createDiscovery}. */
export interface DiscoveryOptions {
  /** How long a catalogue is used before it is fetched again, in milliseconds. Default 600 000 (10 minutes). */
  ttlMs?: number;
  /**
   * Also keep the catalogue on disk, in kubectl's layout under `<cacheDir>/<host_port>/`
   * (`defaultDiscoveryCacheDir()` is kubectl's `~/.kube/cache/discovery`). Default: memory only.
   */
  cacheDir?: string;
  /** How long the disk cache is trusted, in milliseconds. Default 21 600 000 (6 hours, as kubectl). */
  diskTtlMs?: number;
  /** `auto` (aggregated, falling back to legacy), or force one way. Default `auto`. */
  mode?: "auto" | "aggregated" | "legacy";
  /** Legacy discovery fetches this many group/versions at once. Default 8. */
  concurrency?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Questions to the server about what it serves, and the kind ↔ resource mapper. */
export interface Discovery {
  /** `GET /version`. */
  version(options?: { signal?: AbortSignal }): Promise<Info>;
  /** `GET /api`: the core group's versions, as the docs' `curl …/api` shows. */
  coreVersions(options?: { signal?: AbortSignal }): Promise<APIVersions>;
  /** `GET /apis`: the named groups and their versions (legacy document). */
  groups(options?: { signal?: AbortSignal }): Promise<APIGroupList>;
  /** Everything the server serves, cached (memory, then disk); concurrent callers share one fetch. */
  catalogue(options?: { signal?: AbortSignal }): Promise<Catalogue>;
  /** Fetches the catalogue from the server now (shared with a fetch already under way). */
  refresh(options?: { signal?: AbortSignal }): Promise<Catalogue>;
  /**
   * The descriptor of a kind. Built-in kinds resolve from `@kin/resources` without a request; others
   * through the catalogue, refreshed once when the kind is unknown (a CRD installed after start).
   * Without a version, the group's preferred version; without a group, the first group (in the
   * server's priority order) that has the kind.
   * @throws {DiscoveryError} naming what was looked up and what the server offers.
   */
  kindFor(query: KindQuery, options?: { signal?: AbortSignal }): Promise<ResourceDescriptor>;
  /**
   * The descriptor for a name as kubectl accepts it: `pods`, `pod`, `po`, `deploy`,
   * `deployments.apps`, `deployments.v1.apps`. Built-ins first, then the catalogue (refreshed once
   * on a miss). An ambiguous short name reports every candidate.
   * @throws {DiscoveryError}
   */
  resourceFor(name: string, options?: { signal?: AbortSignal }): Promise<ResourceDescriptor>;
  /** Forgets the catalogue in memory (the disk cache stays until its TTL). */
  invalidate(): void;
}

const apiVersionOf = (group: string, version: string) =>
  group === "" ? version : `${group}/${version}`;

/** Runs `work` over `items` with at most `limit` at once. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Discovery over `transport`. */
export function createDiscovery(transport: Transport, options: DiscoveryOptions = {}): Discovery {
  const ttlMs = options.ttlMs ?? 600_000;
  const diskTtlMs = options.diskTtlMs ?? 6 * 3600_000;
  const now = options.now ?? Date.now;
  const diskRoot = options.cacheDir
    ? serverCacheDir(options.cacheDir, transport.server)
    : undefined;
  let cached: Catalogue | undefined;
  /** When `cached` was loaded into memory (a disk snapshot may be older than that). */
  let cachedAt = 0;
  let loading: Promise<Catalogue> | undefined;

  async function aggregated(signal?: AbortSignal): Promise<Catalogue | undefined> {
    const [core, named] = await Promise.all(
      ["/api", "/apis"].map((path) =>
        transport.request<{ kind?: string } & Partial<APIGroupDiscoveryList>>({
          path,
          accept: AGGREGATED_ACCEPT,
          signal,
        }),
      ),
    );
    if (core?.kind !== "APIGroupDiscoveryList" || named?.kind !== "APIGroupDiscoveryList")
      return undefined;
    const a = fromAggregated(core as APIGroupDiscoveryList);
    const b = fromAggregated(named as APIGroupDiscoveryList);
    return {
      groups: [...a.groups, ...b.groups],
      resources: [...a.resources, ...b.resources],
      failures: [...a.failures, ...b.failures],
      source: "aggregated",
      requests: 2,
      fetchedAt: now(),
    };
  }

  async function legacy(signal?: AbortSignal): Promise<Catalogue> {
    const [core, named] = await Promise.all([
      transport.request<APIVersions>({ path: "/api", signal }),
      transport.request<APIGroupList>({ path: "/apis", signal }),
    ]);
    const groups: DiscoveredGroup[] = [
      { name: "", versions: core.versions, preferredVersion: core.versions[0] ?? "v1" },
      ...named.groups.map((g) => ({
        name: g.name,
        versions: g.versions.map((v) => v.version),
        preferredVersion: g.preferredVersion?.version ?? g.versions[0]?.version ?? "",
      })),
    ];
    const groupVersions = groups.flatMap((g) =>
      g.versions.map((version) => ({ group: g.name, version })),
    );
    const failures: DiscoveryFailure[] = [];
    const lists = await mapLimit(
      groupVersions,
      options.concurrency ?? 8,
      async ({ group, version }) => {
        const path = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
        try {
          return fromResourceList(
            group,
            version,
            await transport.request<APIResourceList>({ path, signal }),
          );
        } catch (error) {
          if (signal?.aborted) throw error;
          // One group/version that fails (an aggregated API server that is down) is reported, not fatal.
          failures.push({
            groupVersion: apiVersionOf(group, version),
            message: (error as Error).message,
          });
          return [];
        }
      },
    );
    return {
      groups,
      resources: lists.flat(),
      failures,
      source: "legacy",
      requests: 2 + groupVersions.length,
      fetchedAt: now(),
    };
  }

  async function fetchCatalogue(signal?: AbortSignal): Promise<Catalogue> {
    const mode = options.mode ?? "auto";
    let catalogue = mode === "legacy" ? undefined : await aggregated(signal);
    if (!catalogue) {
      if (mode === "aggregated")
        throw new DiscoveryError(
          "AggregatedNotServed",
          `${transport.server} does not serve aggregated discovery (GET /api and /apis with Accept: ${AGGREGATED_ACCEPT} answered legacy documents)`,
        );
      catalogue = await legacy(signal);
    }
    if (diskRoot && catalogue.failures.length === 0)
      await writeDiskCache(diskRoot, catalogue).catch(() => {});
    return catalogue;
  }

  function load(fromDisk: boolean, signal?: AbortSignal): Promise<Catalogue> {
    loading ??= (async () => {
      const fromCache =
        fromDisk && diskRoot ? await readDiskCache(diskRoot, diskTtlMs, now()) : undefined;
      cached = fromCache ?? (await fetchCatalogue(signal));
      cachedAt = now();
      return cached;
    })().finally(() => {
      loading = undefined;
    });
    return loading;
  }

  const discovery: Discovery = {
    version: (o) => transport.request<Info>({ path: "/version", signal: o?.signal }),
    coreVersions: (o) => transport.request<APIVersions>({ path: "/api", signal: o?.signal }),
    groups: (o) => transport.request<APIGroupList>({ path: "/apis", signal: o?.signal }),
    catalogue(o) {
      if (cached && now() - cachedAt < ttlMs) return Promise.resolve(cached);
      return load(true, o?.signal);
    },
    refresh: (o) => load(false, o?.signal),
    async kindFor(query, o) {
      return resolveKind(query, discovery, o?.signal);
    },
    async resourceFor(name, o) {
      return resolveResource(name, discovery, o?.signal);
    },
    invalidate() {
      cached = undefined;
    },
  };
  return discovery;
}
