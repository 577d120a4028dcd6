// Manifests from files for the CLI's `--seed`: a YAML or JSON file (multi-document YAML, `List` kinds,
// JSON arrays) or a folder of them (`.yaml`, `.yml`, `.json`, recursively, in name order).
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { KubeObject } from "@kin/resources";
import { parseAllDocuments } from "yaml";

/** A manifest file that cannot be read or is not a list of objects: the message names the file. */
export class ManifestError extends Error {
  override readonly name = "ManifestError";
}

/** An object and the file it came from. */
export interface Manifest {
  object: KubeObject;
  file: string;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

async function filesOf(path: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new ManifestError(
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  if (!info.isDirectory()) return [path];
  const found: string[] = [];
  const entries = await readdir(path, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) found.push(...(await filesOf(full)));
    else if (MANIFEST_FILE.test(entry.name)) found.push(full);
  }
  return found;
}

/** Parses one file's text: every document, `List`s flattened, each an object with apiVersion, kind, metadata.name. */
export function parseManifests(text: string, file: string): KubeObject[] {
  const values: unknown[] = [];
  if (/\.json$/i.test(file)) {
    try {
      values.push(JSON.parse(text));
    } catch (error) {
      throw new ManifestError(`${file}: not valid JSON: ${(error as Error).message}`);
    }
  } else {
    for (const doc of parseAllDocuments(text)) {
      const [error] = doc.errors;
      if (error) {
        const line = error.linePos?.[0]?.line;
        throw new ManifestError(
          `${file}${line ? `:${line}` : ""}: not valid YAML: ${error.message.split("\n")[0]}`,
        );
      }
      values.push(doc.toJS());
    }
  }
  const objects: KubeObject[] = [];
  const take = (value: unknown, where: string) => {
    if (value === null || value === undefined) return; // an empty document
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) take(item, `${where}[${i}]`);
      return;
    }
    const o = value as Record<string, unknown>;
    if (typeof o !== "object" || typeof o.kind !== "string" || typeof o.apiVersion !== "string")
      throw new ManifestError(
        `${file}: ${where} is not a Kubernetes object (apiVersion and kind are required)`,
      );
    if (o.kind.endsWith("List") && Array.isArray(o.items)) {
      for (const [i, item] of o.items.entries()) take(item, `${where}.items[${i}]`);
      return;
    }
    const name = (o.metadata as { name?: unknown } | undefined)?.name;
    if (typeof name !== "string" || name === "")
      throw new ManifestError(`${file}: ${where} (${o.kind}) has no metadata.name`);
    objects.push(o as KubeObject);
  };
  for (const [i, value] of values.entries()) take(value, `document ${i + 1}`);
  return objects;
}

/** Every object of the files at `paths` (files or folders), in order. */
export async function readManifests(paths: readonly string[]): Promise<Manifest[]> {
  const manifests: Manifest[] = [];
  for (const path of paths) {
    for (const file of await filesOf(path)) {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (error) {
        throw new ManifestError(
          `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        );
      }
      for (const object of parseManifests(text, file)) manifests.push({ object, file });
    }
  }
  return manifests;
}
