#!/usr/bin/env node
// Builds kube-apiserver, kube-controller-manager and etcd from this folder's Go module (k8s.io/kubernetes
// v1.28 and go.etcd.io/etcd/server/v3 3.5, from the Go module proxy) once per machine, into a cache
// outside the work tree keyed by the Kubernetes version and a hash of the module's sources:
//
//   ${KIN_KUBE_APISERVER_CACHE:-${XDG_CACHE_HOME:-~/.cache}/kin/kube-apiserver}/<version>-<hash>/
//
// The build goes to a temporary folder beside it and is renamed into place, so a folder that exists
// is complete; a lock folder keeps two processes of one machine from building at once (the second
// waits for the first). A cached run costs one stat. `node scripts/build.mjs` builds and prints
// the folder; the launcher (src/) and the test setup import buildKubeApiServer().
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir, setPriority } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** This Go module's folder (tools/kube-apiserver). */
export const MODULE_DIR = fileURLToPath(new URL("..", import.meta.url));

/** The commands built, by file name in the cache folder. */
export const COMMANDS = ["kube-apiserver", "kube-controller-manager", "etcd"];

/**
 * A build longer than this is stopped. A cold build took 19 minutes on 2 cores at a load of 6–28, and 47
 * at a load of 15–50 (tools/kube-apiserver/README.md); CI's whole run has 90.
 */
const BUILD_TIMEOUT_MS = 80 * 60_000;
/** How long a second process waits for another one's build before giving up. */
const LOCK_WAIT_MS = BUILD_TIMEOUT_MS + 60_000;
const LOG_TAIL_BYTES = 4000;

/** Go is not installed (or not on PATH): the real server cannot be built on this machine. */
export class GoUnavailableError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "GoUnavailableError";
  }
}

/** `go build` failed or timed out; `logFile` has the whole output. */
export class KubeApiServerBuildError extends Error {
  constructor(message, logFile, options) {
    super(message, options);
    this.name = "KubeApiServerBuildError";
    this.logFile = logFile;
  }
}

/** The cache's root folder. */
export function cacheRoot(env = process.env) {
  if (env.KIN_KUBE_APISERVER_CACHE) return env.KIN_KUBE_APISERVER_CACHE;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "kin", "kube-apiserver");
}

/** `k8s.io/kubernetes` and `go.etcd.io/etcd/server/v3` as go.mod requires them. */
export async function moduleVersions(moduleDir = MODULE_DIR) {
  const goMod = await readFile(join(moduleDir, "go.mod"), "utf8");
  const required = (path) => {
    const match = goMod.match(new RegExp(`^\\s*${path.replaceAll(".", "\\.")}\\s+(v\\S+)`, "m"));
    if (!match?.[1]) throw new Error(`${join(moduleDir, "go.mod")} does not require ${path}`);
    return match[1];
  };
  return { kubernetes: required("k8s.io/kubernetes"), etcd: required("go.etcd.io/etcd/server/v3") };
}

async function goFiles(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await goFiles(path)));
    else if (entry.name.endsWith(".go")) found.push(path);
  }
  return found;
}

/** The flags every build uses (part of the cache key). `-X` stamps the version as `make` does. */
function buildFlags(version, commit, date) {
  const [major, minor] = version.replace(/^v/, "").split(".");
  const stamp = ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitCommit=${commit}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=${date}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
  ]);
  return ["-trimpath", `-ldflags=-s -w ${stamp.join(" ")}`];
}

/**
 * `<version>-<hash>`: the Kubernetes version, and a hash of go.mod, go.sum, every .go file of the module
 * and the build's commands and flags.
 */
export async function cacheKey(moduleDir = MODULE_DIR) {
  const { kubernetes } = await moduleVersions(moduleDir);
  const hash = createHash("sha256");
  const files = [
    join(moduleDir, "go.mod"),
    join(moduleDir, "go.sum"),
    ...(await goFiles(join(moduleDir, "cmd"))),
    ...(await goFiles(join(moduleDir, "internal"))),
  ].sort();
  for (const file of files) {
    hash
      .update(relative(moduleDir, file))
      .update("\0")
      .update(await readFile(file))
      .update("\0");
  }
  // The build's recipe: the commands and the flags (their shape; commit and date follow the version).
  hash.update(JSON.stringify([COMMANDS, buildFlags(kubernetes, "", "")]));
  return `${kubernetes}-${hash.digest("hex").slice(0, 12)}`;
}

async function complete(dir) {
  try {
    const manifest = JSON.parse(await readFile(join(dir, "build.json"), "utf8"));
    for (const command of COMMANDS)
      if (!(await stat(join(dir, command))).isFile()) return undefined;
    return manifest;
  } catch {
    return undefined;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function goVersion(env) {
  try {
    const { stdout } = await run("go", ["env", "GOVERSION"], { env, timeout: 60_000 });
    return stdout.trim();
  } catch (error) {
    if (error.code === "ENOENT")
      throw new GoUnavailableError(
        "Go is not installed (no `go` on PATH): the real kube-apiserver is built from Go modules; install Go ≥ 1.22",
        { cause: error },
      );
    throw new GoUnavailableError(`\`go env GOVERSION\` failed: ${error.message}`, { cause: error });
  }
}

async function tail(file) {
  try {
    const text = await readFile(file, "utf8");
    return text.length > LOG_TAIL_BYTES ? `…${text.slice(-LOG_TAIL_BYTES)}` : text;
  } catch {
    return "";
  }
}

async function goBuild(moduleDir, outDir, logFile, env, flags) {
  const log = createWriteStream(logFile);
  await new Promise((resolve) => log.once("open", resolve));
  const args = ["build", ...flags, "-o", `${outDir}/`, ...COMMANDS.map((c) => `./cmd/${c}`)];
  log.write(`$ go ${args.join(" ")}\n`);
  const child = spawn("go", args, { cwd: moduleDir, env, stdio: ["ignore", log, log] });
  // A background build: the compilers it starts inherit a low priority, so the tests that run beside
  // it (turbo runs packages in parallel) keep their share of the CPU.
  if (child.pid !== undefined) {
    try {
      setPriority(child.pid, 10);
    } catch {
      // not permitted here: build at the normal priority
    }
  }
  const timer = setTimeout(() => child.kill("SIGKILL"), BUILD_TIMEOUT_MS);
  const code = await new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (exitCode, signal) => resolve(signal ?? exitCode));
  }).finally(() => clearTimeout(timer));
  await new Promise((resolve) => log.end(resolve));
  if (code !== 0) {
    throw new KubeApiServerBuildError(
      `go build of kube-apiserver ${(await moduleVersions(moduleDir)).kubernetes} failed (${
        code === "SIGKILL" ? `stopped after ${BUILD_TIMEOUT_MS / 60_000} minutes` : `exit ${code}`
      }); the whole log is ${logFile}:\n${await tail(logFile)}`,
      logFile,
    );
  }
}

/**
 * The folder of built binaries (`kube-apiserver`, `kube-controller-manager`, `etcd`, `build.json`), built
 * now if the cache does not have them. `onProgress` gets one line when a build starts or waits.
 *
 * @param {{ moduleDir?: string, root?: string, onProgress?: (line: string) => void }} [options]
 */
export async function buildKubeApiServer(options = {}) {
  const moduleDir = options.moduleDir ?? MODULE_DIR;
  const root = options.root ?? cacheRoot();
  const key = await cacheKey(moduleDir);
  const dir = join(root, key);
  const started = Date.now();
  const result = (manifest, cached) => ({
    dir,
    kubeApiServer: join(dir, "kube-apiserver"),
    kubeControllerManager: join(dir, "kube-controller-manager"),
    etcd: join(dir, "etcd"),
    version: manifest.kubernetes,
    etcdVersion: manifest.etcd,
    cached,
    seconds: (Date.now() - started) / 1000,
  });
  const found = await complete(dir);
  if (found) return result(found, true);

  const env = { ...process.env, CGO_ENABLED: "0" };
  const go = await goVersion(env);
  await mkdir(root, { recursive: true });
  const lock = join(root, `${key}.lock`);
  for (let waited = 0; ; ) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    const owner = Number.parseInt(await readFile(join(lock, "pid"), "utf8").catch(() => ""), 10);
    if (Number.isInteger(owner) && !alive(owner)) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    const built = await complete(dir);
    if (built) return result(built, true);
    if (waited === 0)
      options.onProgress?.(`waiting for another process's build of ${key} (${lock})`);
    if (waited > LOCK_WAIT_MS) throw new Error(`gave up waiting for the build lock ${lock}`);
    await sleep(2000);
    waited += 2000;
  }
  try {
    await writeFile(join(lock, "pid"), String(process.pid));
    const built = await complete(dir);
    if (built) return result(built, true);
    const versions = await moduleVersions(moduleDir);
    // The release's commit and date, for /version (as the release build stamps them).
    const { stdout } = await run("go", ["mod", "download", "-json", "k8s.io/kubernetes"], {
      cwd: moduleDir,
      env,
      timeout: 10 * 60_000,
      maxBuffer: 1 << 20,
    });
    const info = JSON.parse(await readFile(JSON.parse(stdout).Info, "utf8"));
    const flags = buildFlags(
      versions.kubernetes,
      info.Origin?.Hash ?? "unknown",
      info.Time ?? "1970-01-01T00:00:00Z",
    );
    const temp = join(root, `.${key}.${process.pid}.tmp`);
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp);
    const logFile = join(root, `${key}.build.log`);
    options.onProgress?.(
      `building kube-apiserver ${versions.kubernetes} and etcd ${versions.etcd} with ${go} into ${dir} (log: ${logFile}); a cold build takes 20–50 minutes on 2 cores`,
    );
    try {
      await goBuild(moduleDir, temp, logFile, env, flags);
      const manifest = {
        kubernetes: versions.kubernetes,
        etcd: versions.etcd,
        go,
        commit: info.Origin?.Hash,
        builtAt: new Date().toISOString(),
        buildSeconds: (Date.now() - started) / 1000,
      };
      await writeFile(join(temp, "build.json"), `${JSON.stringify(manifest, null, 2)}\n`);
      // Flush the binaries before they become visible under the final name.
      for (const command of COMMANDS) {
        const handle = await open(join(temp, command));
        await handle.sync().finally(() => handle.close());
      }
      await rename(temp, dir);
      return result(manifest, false);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const built = await buildKubeApiServer({ onProgress: (line) => console.error(line) });
    console.error(
      `kube-apiserver ${built.version}, etcd ${built.etcdVersion}: ${built.cached ? "cached" : "built"} in ${built.seconds.toFixed(1)} s`,
    );
    console.log(built.dir);
  } catch (error) {
    console.error(`${error.name}: ${error.message}`);
    process.exit(1);
  }
}
