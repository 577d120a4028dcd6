import {
  type ChildProcess,
  execFile,
  type SpawnOptions,
  spawn,
  spawnSync,
} from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { SERVICE_ACCOUNT_DIR } from "@kin/credentials";
import type { PodEnvironment } from "./podEnvironment.js";

/** The names a pod resolves to the API server's service (its `/etc/hosts` line). */
export const SERVICE_NAMES = [
  "kubernetes.default.svc.cluster.local",
  "kubernetes.default.svc",
  "kubernetes.default",
  "kubernetes",
] as const;

/** Whether {@link spawnInPod} can run here, and if not, what is missing. */
export type PodIsolation = { available: true } | { available: false; reason: string };

export interface PodProcessOptions extends Omit<SpawnOptions, "env" | "shell"> {
  /**
   * Extra env vars, over the pod's: this process's env (`PATH`, `HOME`, ...), then `pod.env`
   * (`KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT`, ...), then these. `undefined` removes a var.
   */
  env?: Record<string, string | undefined>;
  /**
   * The address `kubernetes.default.svc` (and `kubernetes.default`, `kubernetes`,
   * `kubernetes.default.svc.cluster.local`) resolve to in the pod. An IPv4 or IPv6 address.
   * Default `"127.0.0.1"`.
   */
  serviceAddress?: string;
}

// Runs inside `unshare -m`: mounts are private to the new namespace, but files made on a host filesystem
// are not, so nothing is created outside a tmpfs. Everything comes in as positional parameters:
// $1 pod dir, $2 hosts copy, $3 deepest existing ancestor of the target (resolved), $4 the missing rest
// ("" when the target exists), $5 an empty dir to keep the ancestor's contents visible, then the command.
const SETUP = `set -e
fail() { echo "spawnInPod: $*" >&2; exit 125; }
pod=$1 hosts=$2 base=$3 rest=$4 saved=$5
shift 5
target=$base
if [ -n "$rest" ]; then
  mount -n --rbind "$base" "$saved" || fail "cannot bind-mount $base"
  mount -n -t tmpfs -o "mode=$(stat -c %a "$base")" kin-pod "$base" || fail "cannot mount a tmpfs on $base"
  for entry in "$saved"/* "$saved"/.[!.]* "$saved"/..?*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    name=\${entry##*/}
    if [ -L "$entry" ]; then cp -P "$entry" "$base/$name"
    elif [ -d "$entry" ]; then mkdir "$base/$name" && mount -n --rbind "$entry" "$base/$name"
    else : > "$base/$name" && mount -n --bind "$entry" "$base/$name"
    fi || fail "cannot keep $base/$name visible"
  done
  target=$base/$rest
  mkdir -p "$target"
fi
mount -n --bind "$pod" "$target" || fail "cannot bind-mount the service account at $target"
mount -n --bind "$hosts" /etc/hosts || fail "cannot bind-mount /etc/hosts"
command -v "$1" >/dev/null 2>&1 || { echo "spawnInPod: $1: command not found" >&2; exit 127; }
exec "$@"
`;

// A tmpfs mounted and bound in a fresh namespace: what spawnInPod needs, undone when the probe exits.
const PROBE = `mount -n -t tmpfs kin-probe "$1" && mount -n --bind "$1" "$1"`;
const UNSHARE = ["-m", "--propagation", "private"] as const;

let isolation: PodIsolation | undefined;
let probing: Promise<PodIsolation> | undefined;

function precondition(): PodIsolation | undefined {
  if (process.platform !== "linux")
    return { available: false, reason: `not Linux (platform ${process.platform})` };
  const uid = process.getuid?.();
  if (uid !== 0) return { available: false, reason: `not root (uid ${uid})` };
  return undefined;
}

function verdict(error: { code?: unknown; message: string } | null, stderr: string): PodIsolation {
  if (!error) return { available: true };
  if (error.code === "ENOENT") return { available: false, reason: "unshare: not found on PATH" };
  const said = stderr.trim() || error.message;
  return { available: false, reason: /^(unshare|mount)/.test(said) ? said : `unshare: ${said}` };
}

/**
 * Whether processes can run in a simulated pod here: Linux, root, and `unshare -m` with `mount` working
 * (probed once by mounting a tmpfs in a throwaway namespace; the answer is cached).
 */
export function podIsolation(): Promise<PodIsolation> {
  if (isolation) return Promise.resolve(isolation);
  probing ??= (async () => {
    const early = precondition();
    if (early) return early;
    const dir = await mkdtemp(join(tmpdir(), "kin-probe-"));
    try {
      return await new Promise<PodIsolation>((resolve) => {
        execFile(
          "unshare",
          [...UNSHARE, "sh", "-c", PROBE, "kin-probe", dir],
          { timeout: 10_000 },
          (error, _stdout, stderr) => resolve(verdict(error, String(stderr))),
        );
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })().then((result) => {
    isolation = result;
    return result;
  });
  return probing;
}

function podIsolationSync(): PodIsolation {
  if (isolation) return isolation;
  const early = precondition();
  if (early) return early;
  const dir = mkdtempSync(join(tmpdir(), "kin-probe-"));
  try {
    const result = spawnSync("unshare", [...UNSHARE, "sh", "-c", PROBE, "kin-probe", dir], {
      encoding: "utf8",
      timeout: 10_000,
    });
    const failed =
      result.error ??
      (result.status === 0 ? null : { message: `exit code ${result.status ?? result.signal}` });
    isolation = verdict(failed as { code?: unknown; message: string } | null, result.stderr ?? "");
    return isolation;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the service-account folder goes: the deepest existing ancestor of `target` (symlinks resolved,
 * so `/var/run` → `/run`) and the part still missing ("" when `target` itself exists).
 */
export function mountPlan(target: string = SERVICE_ACCOUNT_DIR): { base: string; rest: string } {
  let existing = target;
  while (!exists(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  const base = realpathSync(existing);
  return { base, rest: relative(existing, target) };
}

function inside(path: string, dir: string): boolean {
  return dir === "/" || path === dir || path.startsWith(dir + sep);
}

/**
 * Spawns `command args` as if in a pod: in a private mount namespace where `pod.dir` is bind-mounted at the
 * real `/var/run/secrets/kubernetes.io/serviceaccount` (the folder, so a later `rotateToken()` shows), and
 * `/etc/hosts` is a copy of the host's with the service names first. With `pod.env` in its environment.
 * Nothing on the host changes: a missing folder is made in a tmpfs over its deepest existing ancestor
 * (whose entries stay visible through bind mounts). Needs root on Linux: throws when
 * {@link podIsolation} says no. A setup failure exits with code 125, a missing command with 127.
 */
export function spawnInPod(
  pod: Pick<PodEnvironment, "dir" | "env">,
  command: string,
  args: readonly string[] = [],
  options: PodProcessOptions = {},
): ChildProcess {
  const check = podIsolationSync();
  if (!check.available)
    throw new Error(`spawnInPod: cannot isolate a pod process here: ${check.reason}`);
  const { env: extra, serviceAddress = "127.0.0.1", ...spawnOptions } = options;
  if (isIP(serviceAddress) === 0)
    throw new Error(`spawnInPod: serviceAddress must be an IP address, got ${serviceAddress}`);
  if (!existsSync(pod.dir)) throw new Error(`spawnInPod: pod folder ${pod.dir} does not exist`);
  const { base, rest } = mountPlan();
  if (rest !== "" && base === "/")
    throw new Error(`spawnInPod: refusing to mount a tmpfs on / for ${SERVICE_ACCOUNT_DIR}`);

  const work = realpathSync(mkdtempSync(join(tmpdir(), "kin-pod-process-")));
  const cleanup = () => rmSync(work, { recursive: true, force: true });
  let child: ChildProcess;
  try {
    if (rest !== "" && inside(work, base))
      throw new Error(`spawnInPod: the temp folder ${work} must not be under ${base}`);
    const hosts = join(work, "hosts");
    const saved = join(work, "saved");
    const host = existsSync("/etc/hosts") ? readFileSync("/etc/hosts", "utf8") : "";
    // First, so that these names win over any the host already maps.
    const line = `# kin pod (spawnInPod)\n${serviceAddress}\t${SERVICE_NAMES.join(" ")}\n`;
    writeFileSync(hosts, line + host, { mode: 0o644 });
    mkdirSync(saved);

    const env: Record<string, string> = {};
    for (const source of [process.env, pod.env, extra ?? {}]) {
      for (const [key, value] of Object.entries(source)) {
        if (value === undefined) delete env[key];
        else env[key] = value;
      }
    }
    child = spawn(
      "unshare",
      [
        ...UNSHARE,
        "sh",
        "-c",
        SETUP,
        "kin-pod",
        pod.dir,
        hosts,
        base,
        rest,
        saved,
        command,
        ...args,
      ],
      { ...spawnOptions, env },
    );
  } catch (error) {
    cleanup();
    throw error;
  }
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    cleanup();
  };
  child.once("exit", once);
  child.once("error", once);
  return child;
}
