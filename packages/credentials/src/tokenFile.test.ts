import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { staticTokenProvider, tokenFileProvider } from "./tokenFile.js";

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

  it("shares one read between concurrent callers", async () => {
    const provider = tokenFileProvider(file);
    const a = provider.token();
    const b = provider.token();
    expect(a).toBe(b);
    expect(await a).toBe("first");
  });
});

describe("staticTokenProvider", () => {
  it("gives the token it holds and hides it from JSON and inspect", async () => {
    const { inspect } = await import("node:util");
    const provider = staticTokenProvider(" s3cr3t\n");
    expect(await provider.token()).toBe("s3cr3t");
    expect(JSON.stringify({ auth: provider })).toBe('{"auth":{"type":"bearer"}}');
    expect(inspect(provider)).not.toContain("s3cr3t");
    expect(() => staticTokenProvider("  ")).toThrow("the bearer token is empty");
  });
});
