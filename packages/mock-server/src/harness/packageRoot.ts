// Where this package is installed: the nearest folder above a module that holds a package.json. The
// same from the sources (`src/<role>/x.ts`, two levels down) and from the build (`dist/x.js`, one level
// down), so paths into the package (`spec/`, `node_modules/.cache/`) do not depend on which one runs.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package folder of the module at `moduleUrl` (its `import.meta.url`). */
export function packageRoot(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
