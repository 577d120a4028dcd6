import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { spawnInPod } from "@kin/mock-server";
import type { DemoCluster } from "./cluster.js";

/** The built app (turbo builds it before the tests and the demo). */
export const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export interface AppOptions {
  /** Flags of the app (`--mode direct`, `--pretty`, …). The health port is always 0 (a free one). */
  args?: readonly string[];
  env?: Record<string, string | undefined>;
  /**
   * Run in a private mount namespace where the pod's service-account folder is the real
   * `/var/run/secrets/kubernetes.io/serviceaccount` (needs root: `podIsolation()`); otherwise the app is
   * pointed at the folder with KIN_SERVICE_ACCOUNT_DIR.
   */
  isolated: boolean;
  /** Each line the app writes (stdout and stderr), as it comes. */
  onLine?: (line: string) => void;
}

export interface AppProcess {
  readonly child: ChildProcess;
  /** Every line so far, stdout and stderr interleaved as they arrived. */
  readonly lines: string[];
  /** Resolves with the first line (already written or to come) that matches; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` (default SIGTERM) and resolves with how the app ended and how long it took. */
  stop(signal?: NodeJS.Signals): Promise<AppExit>;
  readonly exited: Promise<AppExit>;
}

export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From `stop()` to the exit; 0 when it exited by itself. */
  ms: number;
}

export function startApp(cluster: DemoCluster, options: AppOptions): AppProcess {
  const args = [MAIN, "--health-port", "0", ...(options.args ?? [])];
  const child = options.isolated
    ? spawnInPod(cluster.pod, process.execPath, args, { env: options.env ?? {} })
    : spawn(process.execPath, args, {
        env: withoutUndefined({
          ...process.env,
          ...cluster.pod.env,
          KIN_SERVICE_ACCOUNT_DIR: cluster.pod.dir,
          ...options.env,
        }),
      });
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  let stoppedAt = 0;
  const exited = new Promise<AppExit>((resolve) => {
    child.on("exit", (code, signal) =>
      resolve({ code, signal, ms: stoppedAt ? Date.now() - stoppedAt : 0 }),
    );
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      options.onLine?.(line);
      for (const waiter of waiters) {
        if (waiter.pattern.test(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    });
  }
  return {
    child,
    lines,
    exited,
    waitFor(pattern, timeoutMs = 10_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const fail = (why: string) => {
          if (!waiters.delete(waiter)) return;
          reject(
            new Error(`no line matching ${pattern} (${why}); the app wrote:\n${lines.join("\n")}`),
          );
        };
        const timer = setTimeout(() => fail(`${timeoutMs} ms`), timeoutMs);
        waiters.add(waiter);
        void exited.then(({ code, signal }) =>
          fail(`the app exited: code ${code}, signal ${signal}`),
        );
      });
    },
    stop(signal = "SIGTERM") {
      stoppedAt = Date.now();
      child.kill(signal);
      return exited;
    },
  };
}

function withoutUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
