import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generate, OUTPUTS } from "../scripts/generate.mjs";
import * as api from "./index.js";

const src = import.meta.dirname;
const source = readFileSync(join(src, "index.ts"), "utf8");
const { descriptorNames, typeNames } = generate();

/** Names in the `export { ... } from "<module>"` statements of a file's text. */
function exportedFrom(text: string, module?: string): string[] {
  const names: string[] = [];
  const pattern = /export (?:type )?\{([^}]*)\} from "([^"]+)";/g;
  for (const match of text.matchAll(pattern)) {
    if (module !== undefined && match[2] !== module) continue;
    names.push(
      ...(match[1] ?? "")
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean),
    );
  }
  return names.sort();
}

const barrel = `./${OUTPUTS.exports.replace(/^src\//, "").replace(/\.ts$/, ".js")}`;
const generated = exportedFrom(readFileSync(join(src, "..", OUTPUTS.exports), "utf8"));

describe("index.ts", () => {
  it("re-exports every generated descriptor as a value", () => {
    const values = new Map<string, unknown>(Object.entries(api));
    for (const name of descriptorNames) {
      expect(values.get(name), name).toMatchObject({ plural: expect.any(String) });
    }
  });

  it("re-exports the generated list, which names every generated descriptor and type", () => {
    expect(generated).toEqual([...new Set([...descriptorNames, ...typeNames])].sort());
  });

  it("has one export *, of the generated list; every other name is spelled out", () => {
    expect([...source.matchAll(/^export (?:type )?\*.*$/gm)].map((m) => m[0])).toEqual([
      `export * from "${barrel}";`,
    ]);
  });

  it("spells out no generated name by hand (the hand-written part and the generated list do not overlap)", () => {
    const byHand = exportedFrom(source);
    expect(byHand.filter((name) => generated.includes(name))).toEqual([]);
    expect(new Set(byHand).size).toBe(byHand.length);
  });

  it("does not carry the patch metadata (it is @kin/resources/patch-metadata)", () => {
    expect(Object.keys(api)).not.toContain("patchMetadataTable");
    const imports = readdirSync(src)
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
      .filter((f) => readFileSync(join(src, f), "utf8").includes("./patchMetadata/"));
    expect(imports).toEqual([]);
  });
});
