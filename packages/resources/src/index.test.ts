import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../scripts/generate.mjs";
import * as api from "./index.js";

const source = readFileSync(join(import.meta.dirname, "index.ts"), "utf8");
const { descriptorNames, typeNames } = generate();

/** Names in the `export { ... } from "<module>"` statements of index.ts. */
function exportedFrom(module: string): string[] {
  const names: string[] = [];
  const pattern = /export (?:type )?\{([^}]*)\} from "([^"]+)";/g;
  for (const match of source.matchAll(pattern)) {
    if (match[2] !== module) continue;
    names.push(
      ...(match[1] ?? "")
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean),
    );
  }
  return names.sort();
}

describe("index.ts", () => {
  it("exports every generated descriptor as a value", () => {
    expect(exportedFrom("./kinds.generated.js")).toEqual([...descriptorNames].sort());
    const values = new Map<string, unknown>(Object.entries(api));
    for (const name of descriptorNames) {
      expect(values.get(name), name).toMatchObject({ plural: expect.any(String) });
    }
  });

  it("exports every other generated type", () => {
    const kinds = new Set(descriptorNames);
    const fromMeta = new Set(exportedFrom("./meta.js"));
    const expected = typeNames.filter((n) => !kinds.has(n) && !fromMeta.has(n)).sort();
    expect(exportedFrom("./types.generated.js")).toEqual(expected);
  });

  it("never uses export *", () => {
    expect(source).not.toMatch(/^export (type )?\*/m);
  });
});
