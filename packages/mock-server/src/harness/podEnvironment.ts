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
import type { ApiServer } from "../server/apiServer.js";

/** The pod's own service account: the environment asks `apiServer` for its tokens. */
export interface PodServiceAccount {
  /** The server that issues (and later revokes) the tokens. */
  apiServer: Pick<ApiServer, "issueServiceAccountToken" | "revokeToken">;
  /** The service account's name (created in `namespace` if missing). Default `default`. */
  serviceAccountName?: string;
  /** A pod (which must exist in `namespace`) the tokens are bound to. Default: not bound to a pod. */
  podName?: string;
  /** Lifetime of each token. Default 3600 s. */
  expirationSeconds?: number;
}

export interface PodEnvironmentOptions {
  /** The API server's address as the pod sees it. */
  host: string;
  port: number;
  /** The cluster CA, written to `ca.crt`. */
  ca: string;
  /** The service-account token, written to `token`. Either this or `serviceAccount`. */
  token?: string;
  /** Issue the token (and every rotated one) from an API server, as the kubelet's TokenRequest does. */
  serviceAccount?: PodServiceAccount;
  /** Written to `namespace` (and the service account's namespace). Default `default`. */
  namespace?: string;
  /**
   * After {@link PodEnvironment.rotateToken}, how long the previous token keeps working before it is
   * revoked at the server (needs `serviceAccount`, or the old token being one the server can revoke:
   * pass `revokeWith`). Default 0: revoked at once. `Infinity`: never revoked.
   */
  tokenGracePeriodMs?: number;
  /** Revokes an old token after the grace period when the tokens are given (not issued). */
  revokeWith?: Pick<ApiServer, "revokeToken">;
}

/** A simulated pod: a service-account folder laid out as the kubelet does it, and the pod's env vars. */
export interface PodEnvironment {
  /** The service-account folder (stands in for `/var/run/secrets/kubernetes.io/serviceaccount`). */
  readonly dir: string;
  /** `KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT` and `KUBERNETES_SERVICE_PORT_HTTPS`. */
  readonly env: Readonly<Record<string, string>>;
  /** The token the files hold now. */
  readonly token: string;
  /**
   * Replaces the token the way the kubelet rotates it: a new timestamped folder and an atomic `..data`
   * swap. Without `token`, a new one is issued by the `serviceAccount`'s server. The old token keeps
   * working for `tokenGracePeriodMs`, then is revoked. Resolves with the new token.
   */
  rotateToken(token?: string): Promise<string>;
  /** Replaces `ca.crt` the same way (the cluster's CA was rotated). */
  rotateCa(ca: string): Promise<void>;
  /** Removes the folder and cancels pending revocations (old tokens then keep working). */
  cleanup(): Promise<void>;
}

/**
 * Writes the kubelet's atomic-writer layout: `..<timestamp>/` holds the files, `..data` links to it,
 * and `token`, `ca.crt`, `namespace` link through `..data`, so a swap of `..data` changes all at once.
 */
export async function createPodEnvironment(
  options: PodEnvironmentOptions,
): Promise<PodEnvironment> {
  const namespace = options.namespace ?? "default";
  const account = options.serviceAccount;
  const issue = (): string => {
    if (!account)
      throw new Error(
        "createPodEnvironment: rotateToken() without a token needs the serviceAccount option",
      );
    return account.apiServer.issueServiceAccountToken({
      namespace,
      name: account.serviceAccountName ?? "default",
      ...(account.podName === undefined ? {} : { pod: account.podName }),
      ...(account.expirationSeconds === undefined
        ? {}
        : { expirationSeconds: account.expirationSeconds }),
    });
  };
  if (options.token === undefined && !account)
    throw new Error("createPodEnvironment: give a token or the serviceAccount option");
  const initial = options.token ?? issue();
  const revoker = account?.apiServer ?? options.revokeWith;
  const grace = options.tokenGracePeriodMs ?? 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const dir = await mkdtemp(join(tmpdir(), "kin-pod-"));
  const files = { ca: options.ca, token: initial, namespace };
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
    get token() {
      return files.token;
    },
    async rotateToken(token) {
      const old = files.token;
      files.token = token ?? issue();
      await publish();
      // The kubelet refreshes a projected token before it expires; the old one stays valid until its own
      // expiry. Here it is revoked after the grace period, so a client that keeps the old token fails then.
      if (revoker && Number.isFinite(grace) && old !== files.token) {
        if (grace <= 0) revoker.revokeToken(old);
        else {
          const timer = setTimeout(() => {
            timers.delete(timer);
            revoker.revokeToken(old);
          }, grace);
          timer.unref?.();
          timers.add(timer);
        }
      }
      return files.token;
    },
    async rotateCa(ca) {
      files.ca = ca;
      await publish();
    },
    cleanup: () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return rm(dir, { recursive: true, force: true });
    },
  };
}
