import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SERVICE_ACCOUNT_CA_FILE,
  SERVICE_ACCOUNT_NAMESPACE_FILE,
  SERVICE_ACCOUNT_TOKEN_FILE,
  SERVICE_HOST_ENV,
  SERVICE_PORT_ENV,
} from "@kin/credentials";

export interface PodEnvironmentOptions {
  /** The API server's address as the pod sees it. */
  host: string;
  port: number;
  /** The cluster CA, written to `ca.crt`. */
  ca: string;
  /** The service-account token, written to `token`. */
  token: string;
  /** Written to `namespace`. Default `default`. */
  namespace?: string;
}

/** A simulated pod: a service-account folder laid out as the kubelet does it, and the pod's env vars. */
export interface PodEnvironment {
  /** The service-account folder (stands in for `/var/run/secrets/kubernetes.io/serviceaccount`). */
  readonly dir: string;
  /** `KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT` and `KUBERNETES_SERVICE_PORT_HTTPS`. */
  readonly env: Readonly<Record<string, string>>;
  /** Replaces the token the way the kubelet rotates it: a new timestamped folder and an atomic `..data` swap. */
  rotateToken(token: string): Promise<void>;
  /** Replaces `ca.crt` the same way (the cluster's CA was rotated). */
  rotateCa(ca: string): Promise<void>;
  /** Removes the folder. */
  cleanup(): Promise<void>;
}

/**
 * Writes the kubelet's atomic-writer layout: `..<timestamp>/` holds the files, `..data` links to it,
 * and `token`, `ca.crt`, `namespace` link through `..data`, so a swap of `..data` changes all at once.
 */
export async function createPodEnvironment(
  options: PodEnvironmentOptions,
): Promise<PodEnvironment> {
  const dir = await mkdtemp(join(tmpdir(), "kin-pod-"));
  const files = { ca: options.ca, token: options.token, namespace: options.namespace ?? "default" };
  let generation = 0;

  async function publish(): Promise<void> {
    const version = `..${new Date().toISOString().replace(/[-:.]/g, "_")}.${generation++}`;
    await mkdir(join(dir, version));
    await writeFile(join(dir, version, SERVICE_ACCOUNT_CA_FILE), files.ca);
    await writeFile(join(dir, version, SERVICE_ACCOUNT_TOKEN_FILE), files.token, { mode: 0o600 });
    await writeFile(join(dir, version, SERVICE_ACCOUNT_NAMESPACE_FILE), files.namespace);
    await symlink(version, join(dir, "..data_tmp"));
    await rename(join(dir, "..data_tmp"), join(dir, "..data"));
  }

  await publish();
  for (const file of [
    SERVICE_ACCOUNT_CA_FILE,
    SERVICE_ACCOUNT_TOKEN_FILE,
    SERVICE_ACCOUNT_NAMESPACE_FILE,
  ]) {
    await symlink(join("..data", file), join(dir, file));
  }
  const port = String(options.port);
  return {
    dir,
    env: {
      [SERVICE_HOST_ENV]: options.host,
      [SERVICE_PORT_ENV]: port,
      KUBERNETES_SERVICE_PORT_HTTPS: port,
    },
    async rotateToken(token) {
      files.token = token;
      await publish();
    },
    async rotateCa(ca) {
      files.ca = ca;
      await publish();
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
