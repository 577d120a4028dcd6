// The build script's cache, lock and errors, with a stand-in `go` on PATH (a shell script that writes the
// binaries go build would), so these run in seconds and without Go.
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  buildKubeApiServer,
  cacheKey,
  cacheRoot,
  GoUnavailableError,
  KubeApiServerBuildError,
} from "../scripts/build.mjs";

let work: string;
let moduleDir: string;
let root: string;
let savedPath: string | undefined;

const FAKE_GO = `#!/bin/sh
# A stand-in for go: env GOVERSION, mod download -json, build -o DIR/ ./cmd/A ./cmd/B ...
echo "$*" >> "$FAKE_GO_DIR/calls"
case "$1" in
  env) echo go1.99.0 ;;
  mod) printf '{"Info": "%s"}' "$FAKE_GO_DIR/info.json" ;;
  build)
    if [ -n "$FAKE_GO_FAIL" ]; then echo "cmd/etcd/main.go:1:1: expected 'package'" >&2; exit 1; fi
    out=""
    for arg in "$@"; do
      case "$arg" in
        */) out="$arg" ;;
        ./cmd/*) sleep 1; name=\${arg#./cmd/}; printf 'binary %s\\n' "$name" > "$out$name" ;;
      esac
    done ;;
esac
`;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "kin-build-test-"));
  moduleDir = join(work, "module");
  root = join(work, "cache");
  const bin = join(work, "bin");
  await mkdir(bin);
  await writeFile(join(bin, "go"), FAKE_GO);
  await chmod(join(bin, "go"), 0o755);
  await writeFile(
    join(work, "info.json"),
    JSON.stringify({ Time: "2024-10-22T20:26:26Z", Origin: { Hash: "abc123" } }),
  );
  for (const command of ["kube-apiserver", "kube-controller-manager", "etcd"]) {
    await mkdir(join(moduleDir, "cmd", command), { recursive: true });
    await writeFile(join(moduleDir, "cmd", command, "main.go"), "package main\n");
  }
  await mkdir(join(moduleDir, "internal"));
  await writeFile(
    join(moduleDir, "go.mod"),
    "module x\n\nrequire (\n\tgo.etcd.io/etcd/server/v3 v3.5.9\n\tk8s.io/kubernetes v1.28.15\n)\n",
  );
  await writeFile(join(moduleDir, "go.sum"), "");
  savedPath = process.env.PATH;
  process.env.PATH = `${bin}:${savedPath}`;
  process.env.FAKE_GO_DIR = work;
  delete process.env.FAKE_GO_FAIL;
});

afterEach(async () => {
  process.env.PATH = savedPath;
  delete process.env.FAKE_GO_DIR;
  delete process.env.FAKE_GO_FAIL;
  await rm(work, { recursive: true, force: true });
});

const builds = async () =>
  (await readFile(join(work, "calls"), "utf8")).split("\n").filter((l) => l.startsWith("build"))
    .length;

describe("buildKubeApiServer", () => {
  it("builds into <root>/<version>-<hash>/ once, then answers from the cache", async () => {
    const first = await buildKubeApiServer({ moduleDir, root });
    expect(first.cached).toBe(false);
    expect(first.dir).toBe(join(root, await cacheKey(moduleDir)));
    expect(first.dir).toMatch(/\/v1\.28\.15-[0-9a-f]{12}$/);
    expect(await readFile(first.kubeApiServer, "utf8")).toBe("binary kube-apiserver\n");
    expect(JSON.parse(await readFile(join(first.dir, "build.json"), "utf8"))).toMatchObject({
      kubernetes: "v1.28.15",
      etcd: "v3.5.9",
      go: "go1.99.0",
      commit: "abc123",
    });
    const calls = await readFile(join(work, "calls"), "utf8");
    expect(calls).toContain("-X k8s.io/component-base/version.gitVersion=v1.28.15");
    expect(calls).toContain("-X k8s.io/component-base/version.gitCommit=abc123");
    expect(calls).toContain("-trimpath");

    const second = await buildKubeApiServer({ moduleDir, root });
    expect(second).toMatchObject({ cached: true, dir: first.dir, version: "v1.28.15" });
    expect(await builds()).toBe(1);
    // Nothing left beside the result: no temporary folder, no lock.
    expect((await readdir(root)).sort()).toEqual(
      [`${await cacheKey(moduleDir)}`, `${await cacheKey(moduleDir)}.build.log`].sort(),
    );
  });

  it("builds once when two callers ask at the same time (the second waits on the lock)", async () => {
    const progress: string[] = [];
    const [a, b] = await Promise.all([
      buildKubeApiServer({ moduleDir, root, onProgress: (line) => progress.push(line) }),
      buildKubeApiServer({ moduleDir, root, onProgress: (line) => progress.push(line) }),
    ]);
    expect(a.dir).toBe(b.dir);
    expect([a.cached, b.cached].sort()).toEqual([false, true]);
    expect(await builds()).toBe(1);
    expect(progress.some((line) => line.startsWith("waiting for another process's build"))).toBe(
      true,
    );
  });

  it("keys the cache by the module's sources: a changed .go file builds anew", async () => {
    const before = await cacheKey(moduleDir);
    await writeFile(join(moduleDir, "internal", "x.go"), "package internal\n");
    expect(await cacheKey(moduleDir)).not.toBe(before);
  });

  it("takes over a lock whose process is gone", async () => {
    const key = await cacheKey(moduleDir);
    await mkdir(join(root, `${key}.lock`), { recursive: true });
    await writeFile(join(root, `${key}.lock`, "pid"), "999999999");
    expect((await buildKubeApiServer({ moduleDir, root })).cached).toBe(false);
  });

  it("fails with the end of the log and leaves no folder when go build fails", async () => {
    process.env.FAKE_GO_FAIL = "1";
    const error = await buildKubeApiServer({ moduleDir, root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiServerBuildError);
    expect((error as Error).message).toMatch(
      /go build of kube-apiserver v1\.28\.15 failed \(exit 1\)/,
    );
    expect((error as Error).message).toContain("expected 'package'");
    expect((error as KubeApiServerBuildError).logFile).toMatch(/\.build\.log$/);
    expect(await readdir(root)).toEqual([`${await cacheKey(moduleDir)}.build.log`]);
  });

  it("says Go is missing when there is no go on PATH", async () => {
    process.env.PATH = "/nonexistent";
    await expect(buildKubeApiServer({ moduleDir, root })).rejects.toThrow(GoUnavailableError);
    await expect(buildKubeApiServer({ moduleDir, root })).rejects.toThrow(/no `go` on PATH/);
  });
});

describe("cacheRoot", () => {
  it("is KIN_KUBE_APISERVER_CACHE, else under XDG_CACHE_HOME, else ~/.cache", () => {
    expect(cacheRoot({ KIN_KUBE_APISERVER_CACHE: "/c" })).toBe("/c");
    expect(cacheRoot({ XDG_CACHE_HOME: "/x" })).toBe("/x/kin/kube-apiserver");
    expect(cacheRoot({})).toMatch(/\/\.cache\/kin\/kube-apiserver$/);
  });
});
