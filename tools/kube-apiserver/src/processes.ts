import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";

/** How a child process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A server process started by the launcher, its output in `logFile`. */
export interface ServerProcess {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<Exit>;
  /** Undefined while running. */
  exit(): Exit | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** The end of the log (about 4 KB), for error messages. */
  logTail(): Promise<string>;
}

// Everything started and not yet stopped, for the exit hook: a test that fails before its `stop()` (or a
// runner that exits without calling it) still leaves no process and no folder behind.
const livePids = new Set<number>();
const liveDirs = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const pid of livePids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** Removes `dir` when this process exits, unless {@link releaseDir} is called first. */
export function trackDir(dir: string): void {
  hookExit();
  liveDirs.add(dir);
}

export function releaseDir(dir: string): void {
  liveDirs.delete(dir);
}

/** "exited with code 1", "was killed by SIGKILL". */
export const describeExit = (exit: Exit): string =>
  exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;

/**
 * Starts `binary` with its standard output and error appended to `logFile`. Its standard input is a pipe
 * that stays open: the commands of this module's Go code exit when it closes (KIN_EXIT_WITH_STDIN), that
 * is when this process is gone, however it went. The child does not keep this process alive.
 */
export function startServerProcess(
  name: string,
  binary: string,
  args: readonly string[],
  options: { logFile: string; env?: Record<string, string>; removeOnParentExit?: string },
): ServerProcess {
  hookExit();
  const fd = openSync(options.logFile, "a", 0o600);
  let child: ChildProcess;
  try {
    child = spawn(binary, args, {
      stdio: ["pipe", fd, fd],
      env: {
        ...process.env,
        ...options.env,
        KIN_EXIT_WITH_STDIN: "1",
        ...(options.removeOnParentExit
          ? { KIN_REMOVE_ON_PARENT_EXIT: options.removeOnParentExit }
          : {}),
      },
    });
  } finally {
    closeSync(fd);
  }
  let ended: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      ended = { code, signal };
      if (child.pid !== undefined) livePids.delete(child.pid);
      resolve(ended);
    });
    // Spawning failed (a missing or non-executable binary): there is no process to wait for.
    child.once("error", () => {
      ended ??= { code: -1, signal: null };
      resolve(ended);
    });
  });
  if (child.pid !== undefined) livePids.add(child.pid);
  child.unref();
  // The pipe's handle would keep the event loop alive; the process must not.
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  child.stdin?.on("error", () => {});
  return {
    name,
    logFile: options.logFile,
    child,
    exited,
    exit: () => ended,
    async stop(graceMs = 10_000) {
      if (ended) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async logTail() {
      const text = await readFile(options.logFile, "utf8").catch(() => "");
      return text.length > 4000 ? `…${text.slice(-4000)}` : text;
    },
  };
}
