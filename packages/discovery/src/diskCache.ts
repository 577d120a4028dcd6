import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type {
  APIGroupList,
  APIResource,
  APIResourceList,
  ResourceDescriptor,
} from "@kin/resources";
import type { Catalogue, DiscoveredGroup } from "./catalogue.js";
import { fromResourceList } from "./catalogue.js";

/** kubectl's discovery cache folder: `~/.kube/cache/discovery`. */
export function defaultDiscoveryCacheDir(
  env: Record<string, string | undefined> = process.env,
): string {
  return join(env.HOME || homedir(), ".kube", "cache", "discovery");
}

/** kubectl's folder for one server: the host without scheme, characters outside `[\w/.]` replaced by `_`. */
export function serverCacheDir(cacheDir: string, server: string): string {
  const host = server.replace(/^https?:\/\//, "");
  return join(cacheDir, host.replace(/[^\w/.]/g, "_"));
}

const gvDir = (root: string, group: string, version: string) =>
  group === "" ? join(root, version) : join(root, group, version);

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/**
 * Writes a catalogue in kubectl's layout (`servergroups.json`, `<group>/<version>/serverresources.json`),
 * so kubectl and kin can share the cache.
 */
export async function writeDiskCache(root: string, catalogue: Catalogue): Promise<void> {
  await mkdir(root, { recursive: true });
  const groups: APIGroupList = {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: catalogue.groups.map((g) => ({
      name: g.name,
      versions: g.versions.map((v) => ({
        groupVersion: g.name === "" ? v : `${g.name}/${v}`,
        version: v,
      })),
      preferredVersion: {
        groupVersion: g.name === "" ? g.preferredVersion : `${g.name}/${g.preferredVersion}`,
        version: g.preferredVersion,
      },
    })),
  };
  for (const group of catalogue.groups) {
    for (const version of group.versions) {
      const resources: APIResource[] = [];
      for (const r of catalogue.resources) {
        if (r.group !== group.name || r.version !== version) continue;
        const base = { namespaced: r.namespaced, kind: r.kind, verbs: [...(r.verbs ?? [])] };
        resources.push({
          name: r.plural,
          singularName: r.singular ?? "",
          ...base,
          shortNames: [...(r.shortNames ?? [])],
          categories: [...(r.categories ?? [])],
        });
        for (const [name, sub] of Object.entries(r.subresources ?? {})) {
          const [subGroup, subVersion] = (sub.apiVersion ?? r.apiVersion).includes("/")
            ? (sub.apiVersion ?? r.apiVersion).split("/")
            : ["", sub.apiVersion ?? r.apiVersion];
          resources.push({
            name: `${r.plural}/${name}`,
            singularName: "",
            namespaced: r.namespaced,
            group: subGroup,
            version: subVersion,
            kind: sub.kind ?? r.kind,
            verbs: [...sub.verbs],
          });
        }
      }
      const dir = gvDir(root, group.name, version);
      await mkdir(dir, { recursive: true });
      const list: APIResourceList = {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: group.name === "" ? version : `${group.name}/${version}`,
        resources,
      };
      await writeAtomic(join(dir, "serverresources.json"), JSON.stringify(list));
    }
  }
  // servergroups.json last: its age says the whole snapshot is complete.
  await writeAtomic(join(root, "servergroups.json"), JSON.stringify(groups));
}

/** Reads a catalogue written by kin or kubectl when `servergroups.json` is younger than `ttlMs`; else `undefined`. */
export async function readDiskCache(
  root: string,
  ttlMs: number,
  now = Date.now(),
): Promise<Catalogue | undefined> {
  try {
    const info = await stat(join(root, "servergroups.json"));
    if (now - info.mtimeMs > ttlMs) return undefined;
    const list = JSON.parse(
      await readFile(join(root, "servergroups.json"), "utf8"),
    ) as APIGroupList;
    const groups: DiscoveredGroup[] = list.groups.map((g) => ({
      name: g.name,
      versions: g.versions.map((v) => v.version),
      preferredVersion: g.preferredVersion?.version ?? g.versions[0]?.version ?? "",
    }));
    const resources: ResourceDescriptor[] = [];
    for (const group of groups) {
      for (const version of group.versions) {
        const text = await readFile(
          join(gvDir(root, group.name, version), "serverresources.json"),
          "utf8",
        );
        resources.push(
          ...fromResourceList(group.name, version, JSON.parse(text) as APIResourceList),
        );
      }
    }
    return {
      groups,
      resources,
      failures: [],
      source: "disk",
      requests: 0,
      fetchedAt: info.mtimeMs,
    };
  } catch {
    // missing, partial or unreadable: fetch from the server instead
    return undefined;
  }
}
