import { join } from "node:path";
import { FILE_LIMITS, isMissingFile, readText } from "./files.js";
import { POD_NAMESPACE_ENV, SERVICE_ACCOUNT_DIR, SERVICE_ACCOUNT_NAMESPACE_FILE } from "./paths.js";

/** Options of {@link podNamespace}. */
export interface PodNamespaceOptions {
  /** The service-account folder. Default `/var/run/secrets/kubernetes.io/serviceaccount`. */
  dir?: string;
  /** The environment to read `POD_NAMESPACE` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * The pod's namespace in client-go's order: `POD_NAMESPACE` (the downward API), else the trimmed
 * `namespace` file of the service-account folder; `undefined` when neither gives one (the file is
 * missing or blank). A namespace file that is there but cannot be read — no permission, a FIFO or
 * directory, over 1 KiB — is an error, where client-go would silently use `default` and send the
 * app's requests to the wrong namespace.
 *
 * @throws {CredentialsError} naming the namespace file.
 */
export async function podNamespace(options: PodNamespaceOptions = {}): Promise<string | undefined> {
  const fromEnv = (options.env ?? process.env)[POD_NAMESPACE_ENV]?.trim();
  if (fromEnv) return fromEnv;
  const file = join(options.dir ?? SERVICE_ACCOUNT_DIR, SERVICE_ACCOUNT_NAMESPACE_FILE);
  try {
    return (await readText(file, "namespace file", FILE_LIMITS.namespace)).trim() || undefined;
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw error;
  }
}
