import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { builtinResources } from "./catalogue.generated.js";
import { Deployment, Pod } from "./kinds.generated.js";

it("lists every resource the spec serves once, keyed by group/version/plural", () => {
  const spec = JSON.parse(
    readFileSync(new URL("../spec/v1.28/swagger.json", import.meta.url), "utf8"),
  ) as { paths: Record<string, unknown> };
  // A resource is a collection path: /api/v1/[namespaces/{namespace}/]<plural> or /apis/<g>/<v>/[…]/<plural>.
  const served = new Set<string>();
  for (const path of Object.keys(spec.paths)) {
    const m =
      /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(?:namespaces\/\{namespace\}\/)?([a-z0-9]+)$/.exec(
        path,
      );
    if (m && m[4] !== "watch" && !(m[4] === "namespaces" && path.includes("{namespace}")))
      served.add(`${m[2] ?? ""}/${m[1] ?? m[3]}/${m[4]}`);
  }
  const keys = builtinResources.map((d) => `${d.group}/${d.version}/${d.plural}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(new Set(keys)).toEqual(served);
  expect(builtinResources).toContain(Pod);
  expect(builtinResources).toContain(Deployment);
});
