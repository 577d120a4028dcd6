import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";

// The dependency rule `resources ← transport (types only)` is a lint rule (biome.json's plugin
// biome-plugins/resourcesTypesOnly.grit). Probe files at packages/transport/src/ of a copy of the
// repository's configuration, linted by its own Biome, show what the rule lets through and what it
// stops. (A copy, so that no probe file ever sits in this package while its own lint runs.)
const run = promisify(execFile);
const biome = createRequire(import.meta.url).resolve("@biomejs/biome/bin/biome");
const repository = fileURLToPath(new URL("../../..", import.meta.url));
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "kin-lint-"));
  await cp(join(repository, "biome.json"), join(root, "biome.json"));
  await cp(join(repository, "biome-plugins"), join(root, "biome-plugins"), { recursive: true });
  await mkdir(join(root, "packages/transport/src"), { recursive: true });
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Biome's report on a file of `source` at packages/transport/src/`name`. */
async function lint(name: string, source: string): Promise<string> {
  const file = join("packages/transport/src", name);
  await writeFile(join(root, file), source);
  const result = await run(
    process.execPath,
    [biome, "lint", "--colors=off", "--vcs-enabled=false", file],
    { cwd: root },
  ).catch((error: { stdout: string; stderr: string }) => error);
  const output = `${result.stdout}${result.stderr}`;
  expect(output).toContain("Checked 1 file");
  return output;
}

const RULE = "packages/transport may import @kin/resources with `import type` only";

it("lets type-only imports and re-exports of @kin/resources through", async () => {
  const output = await lint(
    "typeOnly.ts",
    'import type { Status } from "@kin/resources";\nexport type { WatchEvent } from "@kin/resources";\nexport type S = Status;\n',
  );
  expect(output).not.toContain(RULE);
});

it.each([
  ["a value import", 'import { Pod } from "@kin/resources";\nexport const p = Pod;\n'],
  [
    "an inline type import (it stays in the JavaScript)",
    'import { type Status } from "@kin/resources";\nexport type S = Status;\n',
  ],
  ["a side-effect import", 'import "@kin/resources";\n'],
  [
    "a subpath",
    'import { patchMetadataTable } from "@kin/resources/patch-metadata";\nexport const t = patchMetadataTable;\n',
  ],
  ["a value re-export", 'export { Pod } from "@kin/resources";\n'],
  ["a dynamic import", 'export const load = () => import("@kin/resources");\n'],
])("stops %s", async (_, source) => {
  expect(await lint(`probe${source.length}.ts`, source)).toContain(RULE);
});
