import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { tokenFileProvider } from "./tokenFile.js";

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kin-token-"));
  file = join(dir, "token");
  await writeFile(file, "first\n");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("tokenFileProvider", () => {
  it("keeps a token for the refresh interval, then reads the file again", async () => {
    let now = 0;
    const provider = tokenFileProvider(file, { now: () => now });
    expect(await provider.token()).toBe("first");
    await writeFile(file, "second");
    now = 59_999;
    expect(await provider.token()).toBe("first");
    now = 60_000;
    expect(await provider.token()).toBe("second");
  });

  it("reads again at once after invalidate (the transport's 401)", async () => {
    const provider = tokenFileProvider(file, { now: () => 0 });
    expect(await provider.token()).toBe("first");
    await writeFile(file, "rotated");
    provider.invalidate();
    expect(await provider.token()).toBe("rotated");
  });

  it("warns by default when a re-read fails, and waits a full interval before trying again", async () => {
    const warnings = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      let now = 0;
      const provider = tokenFileProvider(file, { now: () => now });
      expect(await provider.token()).toBe("first");
      await rm(file);
      now = 60_000;
      expect(await provider.token()).toBe("first");
      expect(warnings).toHaveBeenCalledExactlyOnceWith(
        `cannot read token file ${file}: ENOENT; using the token read before`,
        "KinCredentialsWarning",
      );
      await writeFile(file, "second");
      now = 119_999;
      expect(await provider.token()).toBe("first");
      now = 120_000;
      expect(await provider.token()).toBe("second");
    } finally {
      warnings.mockRestore();
    }
  });

  it("re-reads after the interval it is given", async () => {
    let now = 0;
    const provider = tokenFileProvider(file, { now: () => now, refreshIntervalMs: 10 });
    expect(await provider.token()).toBe("first");
    await writeFile(file, "second");
    now = 9;
    expect(await provider.token()).toBe("first");
    now = 10;
    expect(await provider.token()).toBe("second");
    expect(await provider.authorization()).toBe("Bearer second");
    expect(JSON.stringify(provider)).toBe(JSON.stringify({ type: "bearer", file }));
  });

  it("shares one read between concurrent callers", async () => {
    const provider = tokenFileProvider(file);
    const a = provider.token();
    const b = provider.token();
    expect(a).toBe(b);
    expect(await a).toBe("first");
  });
});

/** The kubelet's atomic writer: files live in `..<ts>/`, `..data` links there, `token` links through `..data`. */
async function kubeletLayout(root: string, token: string) {
  let n = 0;
  const publish = async (value: string) => {
    const version = `..2026_11_28_${n++}`;
    await mkdir(join(root, version));
    await writeFile(join(root, version, "token"), value);
    await symlink(version, join(root, "..data_tmp"));
    await rename(join(root, "..data_tmp"), join(root, "..data"));
    return version;
  };
  await publish(token);
  await symlink(join("..data", "token"), join(root, "token"));
  return publish;
}

describe("tokenFileProvider with the kubelet's ..data swap", () => {
  it("follows the swap and keeps the last good token when a re-read fails", async () => {
    let now = 0;
    const errors: string[] = [];
    const root = join(dir, "serviceaccount");
    await mkdir(root);
    const publish = await kubeletLayout(root, "v1");
    const provider = tokenFileProvider(join(root, "token"), {
      now: () => now,
      onRefreshError: (e) => errors.push(e.message),
    });
    expect(await provider.token()).toBe("v1");
    const old = await publish("v2");
    now += 60_000;
    expect(await provider.token()).toBe("v2");
    // A broken publish (the link points nowhere): the good token stays, the error is reported.
    await rm(join(root, "..data"));
    await symlink("..missing", join(root, "..data"));
    provider.invalidate();
    expect(await provider.token()).toBe("v2");
    expect(errors).toEqual([`cannot read token file ${join(root, "token")}: ENOENT`]);
    await rm(join(root, old), { recursive: true });
    await publish("v3");
    provider.invalidate();
    expect(await provider.token()).toBe("v3");
  });

  it("throws when there is no good token to keep", async () => {
    const provider = tokenFileProvider(join(dir, "absent"));
    await expect(provider.token()).rejects.toThrow(
      `cannot read token file ${join(dir, "absent")}: ENOENT`,
    );
  });
});
