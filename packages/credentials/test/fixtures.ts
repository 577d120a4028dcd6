// Helpers shared by the package's tests (not collected as a test file, not published).
import { execFileSync, spawn } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Makes a named pipe with no writer at `path`: reading it the ordinary way waits forever. */
export function fifo(path: string): string {
  execFileSync("mkfifo", [path]);
  return path;
}

/** Whether this process runs as root, who reads every file whatever its mode. */
export const isRoot = process.getuid?.() === 0;

/**
 * Bundles `code` (an ES module that may import `@kin/credentials` and `@kin/credentials/kubeconfig`,
 * from `src/`) into `dir/name`, readable by everyone, to run in a Node process of its own.
 */
export async function bundleScript(code: string, dir: string, name = "run.mjs"): Promise<string> {
  const result = await build({
    stdin: {
      contents: code,
      resolveDir: fileURLToPath(new URL("..", import.meta.url)),
      loader: "js",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    conditions: ["@kin/source"],
    write: false,
    logLevel: "silent",
  });
  const script = join(dir, name);
  await writeFile(script, result.outputFiles[0]?.text ?? "");
  await chmod(script, 0o644);
  return script;
}

/**
 * Runs `code` (see {@link bundleScript}) in a child Node process as the user `nobody` (uid/gid
 * 65534), so that file permissions apply even when the tests run as root. Needs root. Resolves with
 * what the child printed on stdout.
 */
export async function runAsNobody(code: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "kin-nobody-"));
  await chmod(dir, 0o755);
  try {
    const script = await bundleScript(code, dir);
    return await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [script], {
        uid: 65534,
        gid: 65534,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("error", reject);
      child.on("close", (status) =>
        status === 0 ? resolve(stdout) : reject(new Error(`child exited ${status}: ${stderr}`)),
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
