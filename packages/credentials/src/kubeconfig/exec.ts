import { spawn } from "node:child_process";
import {
  type FetchedToken,
  RefreshingBearerProvider,
  type TokenProvider,
  tokenProblem,
} from "../auth.js";
import { CredentialsError } from "../errors.js";
import { checkExecFields, type FieldProblem, isObject } from "./schema.js";
import type { ExecConfig } from "./types.js";

const SUPPORTED_VERSIONS = [
  "client.authentication.k8s.io/v1",
  "client.authentication.k8s.io/v1beta1",
];

/** The cluster as an exec plugin sees it in `KUBERNETES_EXEC_INFO` when `provideClusterInfo` is set. */
export interface ExecClusterInfo {
  server: string;
  "tls-server-name"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "certificate-authority-data"?: string;
  "proxy-url"?: string;
  config?: unknown;
}

/** Options of {@link execProvider}. */
export interface ExecOptions {
  /** Where the plugin's messages say it is configured, e.g. `users[dev].user.exec`. */
  field: string;
  /** Passed to the plugin when `provideClusterInfo` is true. */
  cluster?: ExecClusterInfo;
  /** The plugin (and every process it started) is killed and the call fails after this many milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** The environment the plugin inherits. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Receives what the plugin wrote to its standard error (its last 64 KiB) when it ends, for
   * whoever wants to show it ("you must log in first"). It is never in an error message: a plugin may
   * print the credential there. Default: dropped.
   */
  onStderr?: (stderr: string) => void;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Bounds on a plugin's output. An ExecCredential is a small JSON document (a token, maybe a client
 * certificate): 1 MiB of standard output is far more than any real plugin writes, and a plugin that
 * writes more is stopped. Of its standard error only the last 64 KiB are kept.
 */
export const EXEC_LIMITS = { stdoutBytes: 1024 * 1024, stderrBytes: 64 * 1024 } as const;

interface ExecResult {
  token: string;
  /** Milliseconds since the epoch; `undefined` when the plugin gave no expiry. */
  expiresAt: number | undefined;
}

class ExecTokenProvider extends RefreshingBearerProvider {
  readonly #exec: ExecConfig;
  readonly #options: ExecOptions;
  readonly #clock: () => number;

  constructor(exec: ExecConfig, options: ExecOptions) {
    super();
    this.#exec = exec;
    this.#options = options;
    this.#clock = options.now ?? Date.now;
  }

  protected now(): number {
    return this.#clock();
  }

  protected async fetchToken(): Promise<FetchedToken> {
    // Like client-go, a credential is used until its expirationTimestamp, or until a 401.
    const { token, expiresAt } = await runExecPlugin(this.#exec, this.#options);
    return { token, validUntil: expiresAt ?? Number.POSITIVE_INFINITY };
  }

  protected describe(): Record<string, string> {
    return { command: this.#exec.command };
  }
}

function fail(options: ExecOptions, command: string, problem: string): CredentialsError {
  return new CredentialsError(
    "ExecFailed",
    options.field,
    `exec plugin ${command} (${options.field}): ${problem}`,
  );
}

/**
 * Checks an exec config before anything runs: every field's type, a command, a supported
 * apiVersion, an interactiveMode kin can honour. Errors name the field (through `problem`, which a
 * kubeconfig uses to name its file too).
 */
export function validateExecConfig(
  exec: ExecConfig,
  field: string,
  problem: FieldProblem = (at, what) => new CredentialsError("InvalidConfig", at, `${at}: ${what}`),
): void {
  checkExecFields(exec, field, problem);
  if (typeof exec.command !== "string" || exec.command === "")
    throw problem(`${field}.command`, "is required");
  if (!SUPPORTED_VERSIONS.includes(exec.apiVersion)) {
    throw problem(
      `${field}.apiVersion`,
      `${JSON.stringify(exec.apiVersion ?? "")} is not supported (use ${SUPPORTED_VERSIONS.join(" or ")})`,
    );
  }
  if (exec.interactiveMode === "Always") {
    // kin never gives a plugin a terminal: a plugin that must always prompt cannot work.
    throw problem(
      `${field}.interactiveMode`,
      '"Always" needs a terminal, and kin runs plugins without one (use Never or IfAvailable)',
    );
  }
}

/** The last `max` bytes written to a stream. */
class Tail {
  #chunks: Buffer[] = [];
  #bytes = 0;
  constructor(readonly max: number) {}
  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes - (this.#chunks[0]?.length ?? 0) >= this.max) {
      this.#bytes -= (this.#chunks.shift() as Buffer).length;
    }
  }
  text(): string {
    const all = Buffer.concat(this.#chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString("utf8");
  }
}

/**
 * Runs the plugin once, as client-go's exec authenticator does, and reads its ExecCredential. The
 * plugin runs in a process group of its own, and the whole group is killed on timeout or when it
 * writes too much, so a wrapper script's children go too. Nothing the plugin wrote reaches an error.
 */
export function runExecPlugin(exec: ExecConfig, options: ExecOptions): Promise<ExecResult> {
  const info = {
    apiVersion: exec.apiVersion,
    kind: "ExecCredential",
    spec: {
      interactive: false,
      ...(exec.provideClusterInfo && options.cluster ? { cluster: options.cluster } : {}),
    },
  };
  const env: Record<string, string | undefined> = { ...(options.env ?? process.env) };
  for (const { name, value } of exec.env ?? []) env[name] = value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify(info);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const ownGroup = process.platform !== "win32";
  return new Promise((resolve, reject) => {
    const child = spawn(exec.command, exec.args ?? [], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: ownGroup,
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    const stderr = new Tail(EXEC_LIMITS.stderrBytes);
    let settled = false;
    const killAll = () => {
      try {
        if (ownGroup && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        // The group is gone already.
      }
    };
    const finish = (error: CredentialsError | undefined, result?: ExecResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result as ExecResult);
    };
    const timer = setTimeout(() => {
      killAll();
      finish(fail(options, exec.command, `did not answer within ${timeoutMs} ms and was stopped`));
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > EXEC_LIMITS.stdoutBytes) {
        killAll();
        finish(
          fail(
            options,
            exec.command,
            `wrote more than ${EXEC_LIMITS.stdoutBytes} bytes to standard output and was stopped (an ExecCredential is small)`,
          ),
        );
        child.stdout.destroy();
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error: NodeJS.ErrnoException) => {
      const hint = exec.installHint ? `\n${exec.installHint.trim()}` : "";
      finish(
        fail(options, exec.command, `cannot be started: ${error.code ?? error.message}${hint}`),
      );
    });
    child.on("close", (code, signal) => {
      const written = stderr.text();
      if (written !== "") options.onStderr?.(written);
      if (code !== 0) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const withheld =
          written.trim() !== ""
            ? " (its standard error is not shown: it can hold credentials)"
            : "";
        finish(fail(options, exec.command, `${how}${withheld}`));
        return;
      }
      try {
        finish(
          undefined,
          parseExecCredential(Buffer.concat(stdout).toString("utf8"), exec.apiVersion),
        );
      } catch (error) {
        finish(fail(options, exec.command, (error as Error).message));
      }
    });
  });
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Reads the plugin's ExecCredential. Problems are described without quoting the output (it holds the credential). */
function parseExecCredential(stdout: string, apiVersion: string): ExecResult {
  let credential: unknown;
  try {
    credential = JSON.parse(stdout);
  } catch {
    throw new Error("its output is not a JSON ExecCredential");
  }
  if (!isObject(credential)) throw new Error("its output is not a JSON ExecCredential");
  if (credential.kind !== "ExecCredential")
    throw new Error("its output's kind is not ExecCredential");
  if (credential.apiVersion !== apiVersion)
    throw new Error(`its output's apiVersion is not ${apiVersion}, which was asked for`);
  const status = isObject(credential.status) ? credential.status : {};
  if (status.clientCertificateData != null || status.clientKeyData != null) {
    throw new Error(
      "it returned a client certificate, which kin does not support yet (only status.token)",
    );
  }
  if (typeof status.token !== "string") throw new Error("its output has no status.token");
  const token = status.token.trim();
  const problem = tokenProblem(token);
  if (problem) throw new Error(`its status.token ${problem}`);
  let expiresAt: number | undefined;
  if (status.expirationTimestamp !== undefined && status.expirationTimestamp !== null) {
    const time = status.expirationTimestamp;
    expiresAt = typeof time === "string" && RFC3339.test(time) ? Date.parse(time) : Number.NaN;
    if (Number.isNaN(expiresAt))
      throw new Error("its status.expirationTimestamp is not an RFC 3339 time");
  }
  return { token, expiresAt };
}

/**
 * A {@link TokenProvider} backed by an exec credential plugin (`client.authentication.k8s.io/v1`
 * or `v1beta1`): run on first use, again when the token's `expirationTimestamp` passes or after a
 * 401 (`invalidate()`); concurrent callers share one run. The plugin gets no terminal (interactive:
 * false); its output is bounded ({@link EXEC_LIMITS}) and never quoted in an error (stderr goes to
 * `onStderr` only); a hanging one is killed, with every process it started, after `timeoutMs`.
 */
export function execProvider(exec: ExecConfig, options: ExecOptions): TokenProvider {
  validateExecConfig(exec, options.field);
  return new ExecTokenProvider(exec, options);
}
