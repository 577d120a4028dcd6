import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fifo, isRoot, runAsNobody } from "../test/fixtures.js";
import { podNamespace } from "./namespace.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kin-ns-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("podNamespace", () => {
  it("takes POD_NAMESPACE, then the trimmed file; undefined when neither has one", async () => {
    const file = join(dir, "namespace");
    await writeFile(file, "  team-a\n");
    expect(await podNamespace({ dir, env: { POD_NAMESPACE: " from-env " } })).toBe("from-env");
    expect(await podNamespace({ dir, env: { POD_NAMESPACE: "  " } })).toBe("team-a");
    await writeFile(file, " \n");
    expect(await podNamespace({ dir, env: {} })).toBeUndefined();
    await rm(file);
    expect(await podNamespace({ dir, env: {} })).toBeUndefined();
  });

  it("reports a namespace file that is there but unusable, naming it, instead of guessing", async () => {
    const file = join(dir, "namespace");
    fifo(file);
    await expect(podNamespace({ dir, env: {} })).rejects.toMatchObject({
      code: "FileUnreadable",
      source: file,
      message: `cannot read namespace file ${file}: a FIFO, not a regular file`,
    });
    await rm(file);
    await mkdir(file);
    await expect(podNamespace({ dir, env: {} })).rejects.toMatchObject({ code: "FileUnreadable" });
    await rm(file, { recursive: true });
    await writeFile(file, "x".repeat(1025));
    await expect(podNamespace({ dir, env: {} })).rejects.toMatchObject({
      code: "InvalidFile",
      message: `namespace file ${file} is larger than 1 KiB`,
    });
  });

  it("reports a namespace file it may not read (EACCES; as root, in a child that drops to nobody)", async () => {
    const file = join(dir, "namespace");
    await writeFile(file, "team-a");
    await chmod(file, 0o000);
    if (isRoot) {
      await chmod(dir, 0o755);
      const out = await runAsNobody(`
        import { podNamespace } from "@kin/credentials";
        podNamespace({ dir: ${JSON.stringify(dir)}, env: {} }).then(
          (ns) => console.log(JSON.stringify({ ns })),
          (e) => console.log(JSON.stringify({ code: e.code, message: e.message })),
        );`);
      expect(JSON.parse(out)).toEqual({
        code: "FileUnreadable",
        message: `cannot read namespace file ${file}: EACCES`,
      });
    } else {
      await expect(podNamespace({ dir, env: {} })).rejects.toMatchObject({
        message: `cannot read namespace file ${file}: EACCES`,
      });
    }
  });
});
