// The v1.28 OpenAPI documents (v2 swagger.json and the v3 per-group-version files), read lazily
// from disk: the package's own `spec/` (copied at build, shipped) or, in the source checkout,
// @kin/resources' `spec/`. Both resolve the same from `src/` and `dist/`.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const CANDIDATES = ["../spec/v1.28/", "../../resources/spec/v1.28/"];

let specDir: string | undefined | null = null;

/** The directory holding `swagger.json` and `v3/`; `undefined` when no copy is found. */
export function specDirectory(): string | undefined {
  if (specDir === null) {
    specDir = CANDIDATES.map((c) => fileURLToPath(new URL(c, import.meta.url))).find((dir) =>
      existsSync(`${dir}swagger.json`),
    );
  }
  return specDir;
}

let v2Text: string | undefined;
let v2Definitions: Record<string, Schema> | undefined;

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  $ref?: string;
  allOf?: Schema[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  [key: string]: unknown;
}

/** `GET /openapi/v2`: swagger.json as published for v1.28. */
export function openApiV2(): string | undefined {
  const dir = specDirectory();
  if (!dir) return undefined;
  v2Text ??= readFileSync(`${dir}swagger.json`, "utf8");
  return v2Text;
}

/** The v2 definitions by name (`io.k8s.api.core.v1.Pod`). */
export function definitions(): Record<string, Schema> | undefined {
  if (v2Definitions) return v2Definitions;
  const text = openApiV2();
  if (!text) return undefined;
  v2Definitions = (JSON.parse(text) as { definitions: Record<string, Schema> }).definitions;
  return v2Definitions;
}

interface V3Entry {
  file: string;
  hash: string;
}
let v3Index: Map<string, V3Entry> | undefined;

function v3(): Map<string, V3Entry> | undefined {
  if (v3Index) return v3Index;
  const dir = specDirectory();
  if (!dir || !existsSync(`${dir}v3`)) return undefined;
  v3Index = new Map();
  for (const file of readdirSync(`${dir}v3`).sort()) {
    const m = /^(.*)_openapi\.json$/.exec(file);
    if (!m) continue;
    const path = (m[1] as string).split("__").join("/");
    const hash = createHash("sha512")
      .update(readFileSync(`${dir}v3/${file}`))
      .digest("hex")
      .toUpperCase();
    v3Index.set(path, { file: `${dir}v3/${file}`, hash });
  }
  return v3Index;
}

/** `GET /openapi/v3`: the index of group/version documents with their hashed URLs. */
export function openApiV3Index(): string | undefined {
  const index = v3();
  if (!index) return undefined;
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, { hash }] of index)
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  return JSON.stringify({ paths });
}

/** `GET /openapi/v3/<path>` (`api/v1`, `apis/apps/v1`). */
export function openApiV3(path: string): string | undefined {
  const entry = v3()?.get(path);
  return entry ? readFileSync(entry.file, "utf8") : undefined;
}
