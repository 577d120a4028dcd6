import { stat } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import type { Credentials } from "./credentials.js";
import { CredentialsError } from "./errors.js";
import { podNamespace } from "./namespace.js";
import {
  SERVICE_ACCOUNT_CA_FILE,
  SERVICE_ACCOUNT_DIR,
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

/** The variable's value, exactly as set; unset, empty or blank means this process is not in a pod. */
function requireEnv(env: Record<string, string | undefined>, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === "") {
    throw new CredentialsError(
      "NotInCluster",
      name,
      `not running in a cluster: environment variable ${name} is not set`,
    );
  }
  return value;
}

/** A value for a message: quoted, and cut if long (the variables are not secret, but may be anything). */
const shown = (value: string) =>
  JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);

const DNS_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * A host name (RFC 1123 labels, a trailing dot allowed) that a URL parser keeps as a name: its last
 * label is not a number, which WHATWG URLs would read as an IPv4 address (`1.2.3`, `0x7f`).
 */
function isHostName(host: string): boolean {
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  const labels = name.split(".");
  const last = labels.at(-1) ?? "";
  return (
    name.length <= 253 &&
    labels.every((label) => DNS_LABEL.test(label)) &&
    !/^(\d+|0x[0-9a-f]*)$/i.test(last)
  );
}

/**
 * `KUBERNETES_SERVICE_HOST` as a URL authority's host: an IPv4 address, an IPv6 address (bracketed or
 * not; bracketed in the result like Go's `net.JoinHostPort`) or a host name — nothing that could add
 * userinfo, a path or a port to the URL.
 */
function parseHost(value: string): string {
  const inner = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
  if (isIP(inner) === 6 && !inner.includes("%")) return `[${inner}]`;
  if (inner === value && (isIP(value) === 4 || isHostName(value))) return value;
  throw new CredentialsError(
    "InvalidEnv",
    SERVICE_HOST_ENV,
    `${SERVICE_HOST_ENV} is not a host name or IP address: ${shown(value)}`,
  );
}

/** `KUBERNETES_SERVICE_PORT`: decimal digits only, no sign, space or leading zero, 1-65535. */
function parsePort(value: string): string {
  if (!/^[1-9][0-9]{0,4}$/.test(value) || Number(value) > 65535) {
    throw new CredentialsError(
      "InvalidEnv",
      SERVICE_PORT_ENV,
      `${SERVICE_PORT_ENV} is not a port number (1-65535): ${shown(value)}`,
    );
  }
  return value;
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
  const host = parseHost(requireEnv(env, SERVICE_HOST_ENV));
  const port = parsePort(requireEnv(env, SERVICE_PORT_ENV));
  const tokenPath = join(dir, SERVICE_ACCOUNT_TOKEN_FILE);
  await requireTokenFile(tokenPath);
  const caPath = join(dir, SERVICE_ACCOUNT_CA_FILE);
  const auth = tokenFileProvider(tokenPath, { onRefreshError: options.onRefreshError });
  const [ca, namespace] = await Promise.all([
    readCaFile(caPath),
    podNamespace({ dir, env }),
    auth.token(),
  ]);
  return {
    server: `https://${host}:${port}`,
    ca,
    reloadCa: () => readCaFile(caPath),
    auth,
    namespace: namespace ?? "default",
    origin: { kind: "in-cluster", dir },
  };
}
