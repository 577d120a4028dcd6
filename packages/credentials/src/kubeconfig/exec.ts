import { spawn } from "node:child_process";
import { type FetchedToken, RefreshingBearerProvider, type TokenProvider } from "../auth.js";
import { CredentialsError } from "../errors.js";
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
  /** The plugin is killed and the call fails after this many milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** The environment the plugin inherits. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

interface ExecResult {
  token: string;
  /** Milliseconds since the epoch; `undefined` when the plugin gave no expiry. */
  expiresAt: number | undefined;
}

const lastLines = (text: string) => text.trim().split("\n").slice(-5).join("\n").slice(-1000);

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

function fail(
  options: ExecOptions,
  command: string,
  problem: string,
  cause?: unknown,
): CredentialsError {
  return new CredentialsError(
    "ExecFailed",
    options.field,
    `exec plugin ${command} (${options.field}): ${problem}`,
    { cause },
  );
}

/** Checks an exec config before anything runs; errors name the field. */
export function validateExecConfig(exec: ExecConfig, field: string): void {
  const problem = (what: string) =>
    new CredentialsError("InvalidConfig", field, `${field}: ${what}`);
  if (typeof exec.command !== "string" || exec.command === "") throw problem("command is required");
  if (!SUPPORTED_VERSIONS.includes(exec.apiVersion)) {
    throw problem(
      `apiVersion ${JSON.stringify(exec.apiVersion)} is not supported (use ${SUPPORTED_VERSIONS.join(" or ")})`,
    );
  }
  if (exec.interactiveMode === "Always") {
    // kin never gives a plugin a terminal: a plugin that must always prompt cannot work.
    throw problem(
      'interactiveMode "Always" needs a terminal, and kin runs plugins without one (use Never or IfAvailable)',
    );
  }
}

/** Runs the plugin once, as client-go's exec authenticator does, and reads its ExecCredential. */
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
  return new Promise((resolve, reject) => {
    const child = spawn(exec.command, exec.args ?? [], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let settled = false;
    const finish = (error: CredentialsError | undefined, result?: ExecResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result as ExecResult);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(fail(options, exec.command, `did not answer within ${timeoutMs} ms and was stopped`));
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error: NodeJS.ErrnoException) => {
      const hint = exec.installHint ? `\n${exec.installHint.trim()}` : "";
      finish(
        fail(
          options,
          exec.command,
          `cannot be started: ${error.code ?? error.message}${hint}`,
          error,
        ),
      );
    });
    child.on("close", (code, signal) => {
      if (code !== 0) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const detail = stderr.trim() ? `; stderr: ${lastLines(stderr)}` : "";
        finish(fail(options, exec.command, `${how}${detail}`));
        return;
      }
      try {
        finish(undefined, parseExecCredential(stdout, exec.apiVersion));
      } catch (error) {
        finish(fail(options, exec.command, (error as Error).message, error));
      }
    });
  });
}

function parseExecCredential(stdout: string, apiVersion: string): ExecResult {
  let credential: { apiVersion?: unknown; kind?: unknown; status?: Record<string, unknown> };
  try {
    credential = JSON.parse(stdout);
  } catch {
    throw new Error("its output is not a JSON ExecCredential");
  }
  if (credential.kind !== "ExecCredential")
    throw new Error(`its output has kind ${JSON.stringify(credential.kind)}, not ExecCredential`);
  if (credential.apiVersion !== apiVersion) {
    throw new Error(
      `its output has apiVersion ${JSON.stringify(credential.apiVersion)}, but ${apiVersion} was asked for`,
    );
  }
  const status = credential.status ?? {};
  if (
    typeof status.clientCertificateData === "string" ||
    typeof status.clientKeyData === "string"
  ) {
    throw new Error(
      "it returned a client certificate, which kin does not support yet (only status.token)",
    );
  }
  if (typeof status.token !== "string" || status.token.trim() === "")
    throw new Error("its output has no status.token");
  let expiresAt: number | undefined;
  if (status.expirationTimestamp !== undefined) {
    expiresAt = Date.parse(String(status.expirationTimestamp));
    if (Number.isNaN(expiresAt))
      throw new Error(
        `status.expirationTimestamp ${JSON.stringify(status.expirationTimestamp)} is not a time`,
      );
  }
  return { token: status.token.trim(), expiresAt };
}

/**
 * A {@link TokenProvider} backed by an exec credential plugin (`client.authentication.k8s.io/v1`
 * or `v1beta1`): run on first use, again when the token's `expirationTimestamp` passes or after a
 * 401 (`invalidate()`); concurrent callers share one run. The plugin gets no terminal (interactive:
 * false); a failing plugin's stderr is in the error; a hanging one is killed after `timeoutMs`.
 */
export function execProvider(exec: ExecConfig, options: ExecOptions): TokenProvider {
  validateExecConfig(exec, options.field);
  return new ExecTokenProvider(exec, options);
}
