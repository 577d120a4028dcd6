import {
  builtinGroupOrder,
  builtinResources,
  compareVersions,
  type ResourceDescriptor,
} from "@kin/resources";
import type { Catalogue } from "./catalogue.js";
import { DiscoveryError } from "./errors.js";

/** A kind to look up; `group` and `version` narrow it. */
export interface KindQuery {
  kind: string;
  /** `""` for the core group; absent for any group. */
  group?: string;
  version?: string;
}

/** What the mapper needs of discovery: the catalogue, and a forced refresh. */
interface CatalogueSource {
  catalogue(options?: { signal?: AbortSignal }): Promise<Catalogue>;
  refresh(options?: { signal?: AbortSignal }): Promise<Catalogue>;
}

const groupRank = (group: string) => {
  const i = builtinGroupOrder.indexOf(group);
  return i === -1 ? builtinGroupOrder.length : i;
};

/** Built-in candidates ordered as the server would prefer them: group priority, then version priority. */
function builtinOrder(a: ResourceDescriptor, b: ResourceDescriptor): number {
  return groupRank(a.group) - groupRank(b.group) || compareVersions(a.version, b.version);
}

/** Catalogue candidates ordered by the server's group order, then each group's preferred version first. */
function catalogueOrder(catalogue: Catalogue) {
  const rank = new Map(catalogue.groups.map((g, i) => [g.name, i]));
  const preferred = new Map(catalogue.groups.map((g) => [g.name, g.preferredVersion]));
  return (a: ResourceDescriptor, b: ResourceDescriptor) =>
    (rank.get(a.group) ?? 1e9) - (rank.get(b.group) ?? 1e9) ||
    Number(b.version === preferred.get(b.group)) - Number(a.version === preferred.get(a.group)) ||
    compareVersions(a.version, b.version);
}

const describeQuery = (q: KindQuery) =>
  `kind ${JSON.stringify(q.kind)}${q.group !== undefined ? ` in group ${JSON.stringify(q.group)}` : ""}${q.version ? ` at version ${JSON.stringify(q.version)}` : ""}`;

const matchesKind = (q: KindQuery) => (d: ResourceDescriptor) =>
  d.kind === q.kind &&
  (q.group === undefined || d.group === q.group) &&
  (q.version === undefined || d.version === q.version);

/** Resolves a kind: built-ins without a request, else the catalogue, refreshed once on a miss. */
export async function resolveKind(
  query: KindQuery,
  source: CatalogueSource,
  signal?: AbortSignal,
): Promise<ResourceDescriptor> {
  const builtin = builtinResources.filter(matchesKind(query)).sort(builtinOrder)[0];
  if (builtin) return builtin;
  let catalogue = await source.catalogue({ signal });
  let found = catalogue.resources.filter(matchesKind(query)).sort(catalogueOrder(catalogue))[0];
  if (!found) {
    catalogue = await source.refresh({ signal });
    found = catalogue.resources.filter(matchesKind(query)).sort(catalogueOrder(catalogue))[0];
  }
  if (found) return found;
  const sameGroup =
    query.group === undefined ? [] : catalogue.resources.filter((d) => d.group === query.group);
  const offered =
    sameGroup.length > 0
      ? `group ${JSON.stringify(query.group)} serves: ${[...new Set(sameGroup.map((d) => `${d.kind} (${d.version})`))].join(", ")}`
      : query.group !== undefined
        ? `the server has no group ${JSON.stringify(query.group)}`
        : `the server serves ${new Set(catalogue.resources.map((d) => d.kind)).size} kinds, none named so`;
  throw new DiscoveryError("NotFound", `no ${describeQuery(query)}: ${offered}`);
}

/** `resource[.version].group` as kubectl's `schema.ParseResourceArg` reads it. */
function parseResourceArg(arg: string): { resource: string; group?: string; version?: string }[] {
  const lower = arg.toLowerCase();
  const parts = lower.split(".");
  const readings: { resource: string; group?: string; version?: string }[] = [];
  if (parts.length >= 3 && /^v\d+((alpha|beta)\d+)?$/.test(parts[1] as string)) {
    readings.push({
      resource: parts[0] as string,
      version: parts[1],
      group: parts.slice(2).join("."),
    });
  }
  if (parts.length >= 2)
    readings.push({ resource: parts[0] as string, group: parts.slice(1).join(".") });
  else readings.push({ resource: lower });
  return readings;
}

const label = (d: ResourceDescriptor) =>
  `${d.plural}${d.group ? `.${d.group}` : ""} (${d.apiVersion})`;

/** Matches by plural, then singular, then short name, within the reading's group/version. */
function match(
  all: readonly ResourceDescriptor[],
  arg: string,
  order: (a: ResourceDescriptor, b: ResourceDescriptor) => number,
): ResourceDescriptor | undefined {
  for (const reading of parseResourceArg(arg)) {
    const scoped = all.filter(
      (d) =>
        (reading.group === undefined || d.group === reading.group) &&
        (reading.version === undefined || d.version === reading.version),
    );
    for (const field of ["plural", "singular", "shortNames"] as const) {
      const hits = scoped
        .filter((d) =>
          field === "shortNames"
            ? (d.shortNames ?? []).includes(reading.resource)
            : d[field] === reading.resource,
        )
        .sort(order);
      if (hits.length === 0) continue;
      const groups = new Set(hits.map((d) => d.group));
      // Plural and singular names resolve by group priority, as kubectl's PriorityRESTMapper does;
      // a short name two groups claim is reported, with every candidate.
      if (field === "shortNames" && groups.size > 1) {
        const candidates = [...new Set(hits.map(label))];
        throw new DiscoveryError(
          "Ambiguous",
          `${JSON.stringify(arg)} is ambiguous: ${candidates.join(", ")}`,
          candidates,
        );
      }
      return hits[0];
    }
  }
  return undefined;
}

/** Resolves a kubectl-style resource name: built-ins first (no request), then the catalogue, refreshed once on a miss. */
export async function resolveResource(
  name: string,
  source: CatalogueSource,
  signal?: AbortSignal,
): Promise<ResourceDescriptor> {
  const builtin = match(builtinResources, name, builtinOrder);
  if (builtin) return builtin;
  let catalogue = await source.catalogue({ signal });
  let found = match(catalogue.resources, name, catalogueOrder(catalogue));
  if (!found) {
    catalogue = await source.refresh({ signal });
    found = match(catalogue.resources, name, catalogueOrder(catalogue));
  }
  if (found) return found;
  const stem = name.toLowerCase().split(".")[0] ?? "";
  const near = catalogue.resources
    .filter((d) => d.plural.startsWith(stem.slice(0, 3)) || stem.startsWith(d.singular ?? d.plural))
    .map(label);
  const hint = near.length > 0 ? `; similar: ${[...new Set(near)].slice(0, 5).join(", ")}` : "";
  throw new DiscoveryError(
    "NotFound",
    `the server doesn't have a resource type ${JSON.stringify(name)} (it serves ${catalogue.resources.length} resources${hint})`,
  );
}
