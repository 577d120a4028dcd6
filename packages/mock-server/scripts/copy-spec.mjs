// Copies @kin/resources' v1.28 OpenAPI documents into this package (spec/, shipped, not committed):
// the published mock server serves /openapi/v2 and /openapi/v3 from them (src/discovery/openapi.ts).
import { cpSync, existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const from = fileURLToPath(new URL("../../resources/spec/v1.28/", import.meta.url));
const to = fileURLToPath(new URL("../spec/v1.28/", import.meta.url));
if (!existsSync(`${from}swagger.json`)) throw new Error(`no OpenAPI documents in ${from}`);
rmSync(to, { recursive: true, force: true });
cpSync(from, to, {
  recursive: true,
  filter: (p) => !p.endsWith(".md") && !p.endsWith("biome.json"),
});
console.log(`copied ${from} → ${to}`);
