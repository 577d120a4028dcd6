import { once } from "node:events";
import { accessSync, constants, readdirSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fifo } from "../test/fixtures.js";
import { CredentialsError } from "./errors.js";
import { FILE_LIMITS, formatBytes, isMissingFile, readText } from "./files.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kin-files-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsError);
  expect((error as Error).name).toBe("CredentialsError");
  return error as CredentialsError;
}

describe("readText", () => {
  it("reads a regular file, through symlinks", async () => {
    await writeFile(join(dir, "real"), "hello\n");
    await symlink(join(dir, "real"), join(dir, "link"));
    expect(await readText(join(dir, "link"), "token file", 64)).toBe("hello\n");
  });

  it("refuses a FIFO at once instead of waiting for a writer", async () => {
    const path = fifo(join(dir, "pipe"));
    const error = await failure(readText(path, "token file", 64));
    expect(error).toMatchObject({
      code: "FileUnreadable",
      source: path,
      message: `cannot read token file ${path}: a FIFO, not a regular file`,
    });
  });

  it("refuses a link to /dev/zero, a directory, and names what it found", async () => {
    await symlink("/dev/zero", join(dir, "zero"));
    expect((await failure(readText(join(dir, "zero"), "token file", 64))).message).toBe(
      `cannot read token file ${join(dir, "zero")}: a character device, not a regular file`,
    );
    await mkdir(join(dir, "folder"));
    expect((await failure(readText(join(dir, "folder"), "CA file", 64))).message).toBe(
      `cannot read CA file ${join(dir, "folder")}: a directory, not a regular file`,
    );
  });

  it("refuses a socket at open (ENXIO)", async () => {
    const path = join(dir, "sock");
    const server = createServer().listen(path);
    await once(server, "listening");
    try {
      expect(await failure(readText(path, "token file", 64))).toMatchObject({
        code: "FileUnreadable",
        message: `cannot read token file ${path}: ENXIO`,
      });
    } finally {
      server.close();
    }
  });

  const blockDevice = ["/dev/loop0", "/dev/sda", "/dev/vda"].find((path) => {
    try {
      if (!statSync(path).isBlockDevice()) return false;
      accessSync(path, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!blockDevice) console.warn("files.test: no readable block device here; its case is skipped");
  it.skipIf(!blockDevice)("refuses a block device", async () => {
    const path = blockDevice as string;
    expect((await failure(readText(path, "CA file", 64))).message).toBe(
      `cannot read CA file ${path}: a block device, not a regular file`,
    );
  });

  it("refuses a file over the limit without reading it, and takes one exactly at it", async () => {
    const path = join(dir, "big");
    await writeFile(path, "x".repeat(64));
    expect(await readText(path, "token file", 64)).toHaveLength(64);
    // 100 MB, sparse: refused from its size.
    await truncate(path, 100_000_000);
    const error = await failure(readText(path, "token file", FILE_LIMITS.token));
    expect(error).toMatchObject({
      code: "InvalidFile",
      source: path,
      message: `token file ${path} is larger than 64 KiB`,
    });
  });

  it("stops at the limit when the size on disk says nothing (a /proc file says 0)", async () => {
    const error = await failure(readText("/proc/self/status", "namespace file", 16));
    expect(error.message).toBe("namespace file /proc/self/status is larger than 16 bytes");
    expect(await readText("/proc/self/status", "status", FILE_LIMITS.namespace * 64)).toMatch(
      /^Name:/,
    );
  });

  it("tells a missing file from an unreadable one", async () => {
    const missing = await failure(readText(join(dir, "absent"), "namespace file", 64));
    expect(missing).toMatchObject({
      code: "FileUnreadable",
      message: `cannot read namespace file ${join(dir, "absent")}: ENOENT`,
    });
    expect(isMissingFile(missing)).toBe(true);
    expect(isMissingFile(await failure(readText(fifo(join(dir, "p")), "x", 64)))).toBe(false);
    expect(isMissingFile(new Error("ENOENT"))).toBe(false);
  });

  it("closes every file it opens, whether it reads it or refuses it", async () => {
    await writeFile(join(dir, "ok"), "x");
    await writeFile(join(dir, "big"), "x".repeat(100));
    fifo(join(dir, "pipe"));
    const open = () => readdirSync("/proc/self/fd").length;
    const before = open();
    for (let i = 0; i < 20; i++) {
      await readText(join(dir, "ok"), "f", 64);
      await readText(join(dir, "big"), "f", 64).catch(() => {});
      await readText(join(dir, "pipe"), "f", 64).catch(() => {});
    }
    expect(open()).toBe(before);
  });

  it("names sizes in KiB and MiB", () => {
    expect(formatBytes(1536 * 1024)).toBe("1536 KiB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3 MiB");
    expect(formatBytes(FILE_LIMITS.token)).toBe("64 KiB");
    expect(formatBytes(FILE_LIMITS.ca)).toBe("1 MiB");
    expect(formatBytes(FILE_LIMITS.kubeconfig)).toBe("16 MiB");
    expect(formatBytes(FILE_LIMITS.namespace)).toBe("1 KiB");
    expect(formatBytes(1536)).toBe("1536 bytes");
  });
});
