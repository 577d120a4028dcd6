import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Credentials } from "./credentials.js";
import { CredentialsError } from "./errors.js";
import { readText } from "./files.js";
import {
  POD_NAMESPACE_ENV,
  SERVICE_ACCOUNT_CA_FILE,
  SERVICE_ACCOUNT_DIR,
  SERVICE_ACCOUNT_NAMESPACE_FILE,
  SERVICE_ACCOUNT_TOKEN_FILE,
  SERVICE_HOST_ENV,
  SERVICE_PORT_ENV,
} from "./paths.js";
import { readCaFile } from "./pem.js";
import { type TokenFileOptions, tokenFileProvider } from "./tokenFile.js";

/** Options of {@link loadInCluster}. */
export interface InClusterOptions {
  /** The service-account folder. Default `/var/run/secrets/kubernetes.io/serviceaccount`. */
  dir?: string;
  /** The environment to read `KUBERNETES_SERVICE_HOST`/`_PORT` and `POD_NAMESPACE` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where a failed token re-read is reported (the last good token stays in use). Default: a process warning. */
  onRefreshError?: TokenFileOptions["onRefreshError"];
}

function requireEnv(env: Record<string, string | undefined>, name: string): string {
  const value = env[name]?.trim();
  if (!value) {
    throw new CredentialsError(
      "NotInCluster",
      name,
      `not running in a cluster: environment variable ${name} is not set`,
    );
  }
  return value;
}

/** `host:port` as a URL authority, bracketing IPv6 literals like Go's `net.JoinHostPort`. */
function joinHostPort(host: string, port: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

function parsePort(value: string): string {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new CredentialsError(
      "InvalidEnv",
      SERVICE_PORT_ENV,
      `${SERVICE_PORT_ENV} is not a port number (1-65535): ${JSON.stringify(value)}`,
    );
  }
  return String(port);
}

/** client-go's in-cluster test (`inClusterClientConfig.Possible`): the token path exists and is not a directory. */
async function requireTokenFile(path: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new CredentialsError(
        "NotInCluster",
        path,
        `not running in a cluster: token file ${path} does not exist`,
        { cause: error },
      );
    }
    throw new CredentialsError(
      "FileUnreadable",
      path,
      `cannot read token file ${path}: ${code ?? String(error)}`,
      { cause: error },
    );
  }
  if (isDirectory) {
    throw new CredentialsError(
      "NotInCluster",
      path,
      `not running in a cluster: token file ${path} is a directory`,
    );
  }
}

async function readNamespace(
  dir: string,
  env: Record<string, string | undefined>,
): Promise<string> {
  const fromEnv = env[POD_NAMESPACE_ENV]?.trim();
  if (fromEnv) return fromEnv;
  try {
    const fromFile = (
      await readText(join(dir, SERVICE_ACCOUNT_NAMESPACE_FILE), "namespace file")
    ).trim();
    if (fromFile) return fromFile;
  } catch (error) {
    // client-go falls back to "default" when the file is missing; any other failure is reported.
    if ((error as { cause?: NodeJS.ErrnoException }).cause?.code !== "ENOENT") throw error;
  }
  return "default";
}

/**
 * Credentials of the pod this process runs in, as client-go's `rest.InClusterConfig()`:
 * the server from `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT` (the port variable every
 * official client uses, not `KUBERNETES_SERVICE_PORT_HTTPS`), the token, CA and namespace from the
 * service-account folder. The token is read now (so a bad one fails here) and re-read as it rotates;
 * the CA is re-read when TLS verification fails (see `Credentials.reloadCa`).
 *
 * @throws {CredentialsError} naming the missing variable or the unreadable/invalid file.
 */
export async function loadInCluster(options: InClusterOptions = {}): Promise<Credentials> {
  const env = options.env ?? process.env;
  const dir = options.dir ?? SERVICE_ACCOUNT_DIR;
  const host = requireEnv(env, SERVICE_HOST_ENV);
  const port = parsePort(requireEnv(env, SERVICE_PORT_ENV));
  const tokenPath = join(dir, SERVICE_ACCOUNT_TOKEN_FILE);
  await requireTokenFile(tokenPath);
  const caPath = join(dir, SERVICE_ACCOUNT_CA_FILE);
  const auth = tokenFileProvider(tokenPath, { onRefreshError: options.onRefreshError });
  const [ca, namespace] = await Promise.all([
    readCaFile(caPath),
    readNamespace(dir, env),
    auth.token(),
  ]);
  return {
    server: `https://${joinHostPort(host, port)}`,
    ca,
    reloadCa: () => readCaFile(caPath),
    auth,
    namespace,
    origin: { kind: "in-cluster", dir },
  };
}
