import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { type AuthProvider, basicAuth, staticTokenProvider, tokenProblem } from "../auth.js";
import type { Credentials } from "../credentials.js";
import { CredentialsError } from "../errors.js";
import { FILE_LIMITS, readText } from "../files.js";
import { isCertificate, readCaFile } from "../pem.js";
import { Redacted } from "../redact.js";
import { tokenFileProvider } from "../tokenFile.js";
import { type ExecClusterInfo, execProvider, validateExecConfig } from "./exec.js";
import { invalid, mergeKubeconfigFiles } from "./merge.js";
import type { KubeconfigCluster, KubeconfigUser, MergedKubeconfig, Named } from "./types.js";

/** Options of {@link loadKubeconfig}. */
export interface KubeconfigOptions {
  /**
   * Kubeconfig files to merge, first wins. Default: the `KUBECONFIG` variable split on the path
   * delimiter (`:`; `;` on Windows), else `~/.kube/config`.
   */
  files?: readonly string[];
  /** The context to use. Default: the merged `current-context`. */
  context?: string;
  /** The namespace to use instead of the context's (kubectl's `--namespace`). */
  namespace?: string;
  /** Environment for `KUBECONFIG`, `HOME` and exec plugins. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** How long an exec plugin may run, in milliseconds. Default 30 000. */
  execTimeoutMs?: number;
  /**
   * Receives an exec plugin's standard error (its last 64 KiB) and the plugin's field, for a program
   * that wants to show it. Errors never include it (it can hold the credential). Default: dropped.
   */
  onExecStderr?: (stderr: string, field: string) => void;
}

/** The kubeconfig files kubectl would read: `KUBECONFIG`'s entries, else `~/.kube/config`. */
export function kubeconfigFiles(env: Record<string, string | undefined> = process.env): string[] {
  const list = (env.KUBECONFIG ?? "").split(delimiter).filter((file) => file.trim() !== "");
  if (list.length > 0) return list;
  return [join(env.HOME || homedir(), ".kube", "config")];
}

/** Whether a kubeconfig is there to load: `KUBECONFIG` names one, or `~/.kube/config` exists. */
export function kubeconfigExists(env: Record<string, string | undefined> = process.env): boolean {
  return (
    (env.KUBECONFIG ?? "").split(delimiter).some((file) => file.trim() !== "") ||
    existsSync(kubeconfigFiles(env)[0] as string)
  );
}

/** A relative path in a kubeconfig is relative to the folder of the file that holds it. */
const resolveIn = (file: string, path: string) =>
  isAbsolute(path) ? path : resolve(dirname(file), path);

function configError(field: string, message: string): CredentialsError {
  return new CredentialsError("InvalidConfig", field, message);
}

/** PEM from `<name>-data` (base64, wins) or from the file `<name>` (relative to its kubeconfig, at most `maxBytes`). */
async function pemField(
  entry: Named<object>,
  field: string,
  name: string,
  what: string,
  maxBytes: number,
): Promise<string | undefined> {
  const value = entry.value as Record<string, unknown>;
  const data = value[`${name}-data`];
  const path = value[name];
  let pem: string | undefined;
  if (typeof data === "string" && data !== "") {
    const text = data.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text))
      throw invalid(entry.file, `${field}.${name}-data`, "is not valid base64");
    pem = Buffer.from(text, "base64").toString("utf8");
  } else if (typeof path === "string" && path !== "") {
    pem = await readText(resolveIn(entry.file, path), what, maxBytes);
  }
  return pem;
}

function clusterInfo(cluster: KubeconfigCluster, ca: string | undefined): ExecClusterInfo {
  const extension = cluster.extensions?.find((e) => e.name === "client.authentication.k8s.io/exec");
  return {
    server: cluster.server as string,
    ...(cluster["tls-server-name"] ? { "tls-server-name": cluster["tls-server-name"] } : {}),
    ...(cluster["insecure-skip-tls-verify"] ? { "insecure-skip-tls-verify": true } : {}),
    ...(ca ? { "certificate-authority-data": Buffer.from(ca).toString("base64") } : {}),
    ...(cluster["proxy-url"] ? { "proxy-url": cluster["proxy-url"] } : {}),
    ...(extension ? { config: extension.extension } : {}),
  };
}

function authFor(
  user: Named<KubeconfigUser>,
  cluster: ExecClusterInfo,
  options: KubeconfigOptions,
): AuthProvider | undefined {
  const field = `users[${user.name}].user`;
  const { value } = user;
  if (value["auth-provider"] !== undefined) {
    throw invalid(
      user.file,
      `${field}.auth-provider`,
      "auth-provider plugins were removed from Kubernetes clients; use an exec plugin",
    );
  }
  const impersonation = (["as", "as-uid", "as-groups", "as-user-extra"] as const).filter(
    (name) => value[name] !== undefined,
  );
  if (impersonation.length > 0) {
    // Ignoring it would send every request as the impersonating user itself, with its wider rights.
    throw invalid(
      user.file,
      `${field}.${impersonation[0]}`,
      "impersonation is not supported by kin yet; remove it or use another user",
    );
  }
  const methods = [
    value.token || value.tokenFile ? "token" : undefined,
    value.username || value.password ? "basic auth" : undefined,
    value.exec ? "exec" : undefined,
  ].filter(Boolean);
  if (methods.length > 1) {
    throw invalid(
      user.file,
      field,
      `more than one authentication method found (${methods.join(", ")}); only one is allowed`,
    );
  }
  if (value.exec) {
    const execField = `${field}.exec`;
    validateExecConfig(value.exec, execField, (at, problem) => invalid(user.file, at, problem));
    // As clientcmd does: a command with a path separator is relative to its kubeconfig; a bare name is looked up in PATH.
    const { command } = value.exec;
    const resolved = command.includes("/") ? resolveIn(user.file, command) : command;
    const onExecStderr = options.onExecStderr;
    return execProvider(
      { ...value.exec, command: resolved },
      {
        field: execField,
        cluster,
        timeoutMs: options.execTimeoutMs,
        env: options.env,
        ...(onExecStderr ? { onStderr: (stderr: string) => onExecStderr(stderr, execField) } : {}),
      },
    );
  }
  // client-go: the last successfully read tokenFile takes precedence over token.
  if (value.tokenFile) return tokenFileProvider(resolveIn(user.file, value.tokenFile));
  if (value.token) {
    const problem = tokenProblem(value.token.trim());
    if (problem) throw invalid(user.file, `${field}.token`, problem);
    return staticTokenProvider(value.token);
  }
  if (value.username || value.password) {
    if (!value.username || value.password === undefined)
      throw invalid(user.file, field, "username and password must be given together");
    return basicAuth(value.username, value.password);
  }
  return undefined;
}

function pick(config: MergedKubeconfig, options: KubeconfigOptions) {
  const name = options.context ?? config.currentContext;
  const where = `kubeconfig ${config.files.join(", ")}`;
  if (!name)
    throw configError(
      "current-context",
      `${where}: no current-context is set and no context was given`,
    );
  const context = config.contexts.get(name);
  if (!context) {
    const known = [...config.contexts.keys()];
    throw configError(
      `contexts[${name}]`,
      `${where}: context ${JSON.stringify(name)} not found (contexts: ${known.length ? known.join(", ") : "none"})`,
    );
  }
  const clusterName = context.value.cluster;
  if (!clusterName)
    throw configError(
      `contexts[${name}].cluster`,
      `${where}: context ${JSON.stringify(name)} names no cluster`,
    );
  const cluster = config.clusters.get(clusterName);
  if (!cluster)
    throw configError(
      `clusters[${clusterName}]`,
      `${where}: cluster ${JSON.stringify(clusterName)} (of context ${JSON.stringify(name)}) not found`,
    );
  const userName = context.value.user;
  const user = userName ? config.users.get(userName) : undefined;
  if (userName && !user)
    throw configError(
      `users[${userName}]`,
      `${where}: user ${JSON.stringify(userName)} (of context ${JSON.stringify(name)}) not found`,
    );
  return { name, context, cluster, user };
}

/**
 * Credentials from kubeconfig files, as kubectl reads them: files merged by kubectl's rules, the
 * current (or a named) context, its cluster (`server`, `certificate-authority[-data]`,
 * `insecure-skip-tls-verify`, `tls-server-name`, `proxy-url`), its user (`token`, `tokenFile`,
 * `client-certificate[-data]`, `client-key[-data]`, `username`/`password`, `exec`) and namespace.
 * Relative paths resolve against the folder of the file that names them.
 *
 * @throws {CredentialsError} naming the file and field at fault.
 */
export async function loadKubeconfig(options: KubeconfigOptions = {}): Promise<Credentials> {
  const config = await mergeKubeconfigFiles(options.files ?? kubeconfigFiles(options.env));
  const { name, context, cluster, user } = pick(config, options);
  const clusterField = `clusters[${cluster.name}].cluster`;
  const server = cluster.value.server;
  if (!server) throw invalid(cluster.file, `${clusterField}.server`, "is required");
  try {
    const url = new URL(server);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(url.protocol);
  } catch {
    throw invalid(
      cluster.file,
      `${clusterField}.server`,
      `is not an http(s) URL: ${JSON.stringify(server)}`,
    );
  }
  const ca = await pemField(
    cluster,
    clusterField,
    "certificate-authority",
    "CA file",
    FILE_LIMITS.ca,
  );
  if (ca !== undefined && !isCertificate(ca))
    throw invalid(
      cluster.file,
      `${clusterField}.certificate-authority`,
      "holds no PEM certificate",
    );
  const insecure = cluster.value["insecure-skip-tls-verify"] === true;
  if (insecure && ca !== undefined) {
    // client-go refuses this combination too.
    throw invalid(
      cluster.file,
      clusterField,
      "a certificate authority and insecure-skip-tls-verify cannot both be set",
    );
  }
  const caFile = cluster.value["certificate-authority"];
  const reloadCa =
    !cluster.value["certificate-authority-data"] && caFile
      ? () => readCaFile(resolveIn(cluster.file, caFile))
      : undefined;

  let clientCert: string | undefined;
  let clientKey: Redacted | undefined;
  if (user) {
    const userField = `users[${user.name}].user`;
    clientCert = await pemField(
      user,
      userField,
      "client-certificate",
      "client certificate file",
      FILE_LIMITS.certificate,
    );
    const key = await pemField(user, userField, "client-key", "client key file", FILE_LIMITS.key);
    if ((clientCert === undefined) !== (key === undefined)) {
      throw invalid(
        user.file,
        userField,
        "client-certificate and client-key must be given together",
      );
    }
    if (clientCert !== undefined && !isCertificate(clientCert)) {
      throw invalid(user.file, `${userField}.client-certificate`, "holds no PEM certificate");
    }
    if (key !== undefined) {
      if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key))
        throw invalid(user.file, `${userField}.client-key`, "holds no PEM private key");
      clientKey = new Redacted(key);
    }
  }
  return {
    server: server.replace(/\/+$/, ""),
    ...(ca !== undefined ? { ca } : {}),
    ...(reloadCa ? { reloadCa } : {}),
    ...(clientCert !== undefined ? { clientCert, clientKey } : {}),
    ...(cluster.value["tls-server-name"]
      ? { tlsServerName: cluster.value["tls-server-name"] }
      : {}),
    ...(insecure ? { insecureSkipTlsVerify: true } : {}),
    ...(cluster.value["proxy-url"] ? { proxyUrl: cluster.value["proxy-url"] } : {}),
    ...(user ? { auth: authFor(user, clusterInfo(cluster.value, ca), options) } : {}),
    namespace: options.namespace || context.value.namespace || "default",
    origin: { kind: "kubeconfig", files: config.files, context: name },
  };
}
