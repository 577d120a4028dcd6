// @ts-check
// Prints what an app that imports only `Pod` pays: bundles it with esbuild (installed at the
// monorepo root) against src/ and, when built, dist/. A measurement, not a test.
//   node scripts/weight.mjs
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(join(tmpdir(), "kin-weight-"));
writeFileSync(
  join(dir, "app.ts"),
  'import { Pod } from "@kin/resources";\nconsole.log(Pod.plural);\n',
);
const plurals = [
  ...new Set(
    [
      ...readFileSync(join(root, "src/kinds.generated.ts"), "utf8").matchAll(
        /plural: "([a-z0-9]+)"/g,
      ),
    ].map((m) => m[1]),
  ),
];
for (const entry of ["src/index.ts", "dist/index.js"]) {
  if (!existsSync(join(root, entry))) continue;
  const out = join(dir, "out.js");
  execFileSync("npx", [
    "esbuild",
    join(dir, "app.ts"),
    "--bundle",
    "--minify",
    "--format=esm",
    "--platform=node",
    `--alias:@kin/resources=${join(root, entry)}`,
    `--outfile=${out}`,
    "--log-level=warning",
  ]);
  const code = readFileSync(out);
  const kinds = plurals.filter((p) => code.includes(`"${p}"`));
  console.log(
    `${entry}: ${code.length} B minified, ${gzipSync(code, { level: 9 }).length} B gzipped; plurals in the bundle: ${kinds.join(", ")}`,
  );
}
