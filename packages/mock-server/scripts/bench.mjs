// Runs test/bench.ts (the mock server's own figures) on the sources: bundles it with esbuild
// (the workspace's, resolving the @kin/source condition) and imports the bundle.
import { mkdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const outdir = fileURLToPath(new URL("../node_modules/.cache/bench/", import.meta.url));
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: [fileURLToPath(new URL("../test/bench.ts", import.meta.url))],
  bundle: true,
  platform: "node",
  format: "esm",
  conditions: ["@kin/source"],
  outfile: `${outdir}bench.mjs`,
  logLevel: "warning",
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
});
await import(pathToFileURL(`${outdir}bench.mjs`).href);
