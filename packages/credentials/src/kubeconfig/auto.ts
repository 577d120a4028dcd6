import type { Credentials } from "../credentials.js";
import { CredentialsError } from "../errors.js";
import { type InClusterOptions, loadInCluster } from "../inCluster.js";
import { type KubeconfigOptions, kubeconfigExists, loadKubeconfig } from "./load.js";

/** Options of {@link loadCredentials}: those of both ways in. */
export interface LoadCredentialsOptions extends KubeconfigOptions {
  /** Options for the in-cluster way (the service-account folder). */
  inCluster?: Omit<InClusterOptions, "env">;
}

/**
 * Credentials found the way kubectl and kube-rs' `Config::infer` find them: a kubeconfig when
 * `KUBECONFIG` is set or `~/.kube/config` exists, else the pod's service account. If the kubeconfig
 * fails to load, in-cluster is tried; if that fails too, the error reports both causes.
 *
 * @throws {CredentialsError} `NoCredentials`, its message naming both causes and `cause` an
 * `AggregateError` of the two errors.
 */
export async function loadCredentials(options: LoadCredentialsOptions = {}): Promise<Credentials> {
  const env = options.env ?? process.env;
  let kubeconfigFailure: unknown;
  if (options.files?.length || kubeconfigExists(env)) {
    try {
      return await loadKubeconfig(options);
    } catch (error) {
      kubeconfigFailure = error;
    }
  } else {
    kubeconfigFailure = new CredentialsError(
      "FileUnreadable",
      "KUBECONFIG",
      "no kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist",
    );
  }
  try {
    return await loadInCluster({ ...options.inCluster, env });
  } catch (inClusterFailure) {
    const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
    throw new CredentialsError(
      "NoCredentials",
      "credentials",
      `no credentials found: kubeconfig: ${message(kubeconfigFailure)}; in-cluster: ${message(inClusterFailure)}`,
      {
        cause: new AggregateError(
          [kubeconfigFailure, inClusterFailure],
          "kubeconfig and in-cluster both failed",
        ),
      },
    );
  }
}
