// Builds (or finds in the cache) the real kube-apiserver, kube-controller-manager and etcd before any
// test file runs, and tells the files where they are, or why they are skipped: only when Go is missing
// and CI is not set. In CI (CI=true, as .ci/run runs) a server that cannot be built fails the run.
import type { TestProject } from "vitest/node";
import {
  buildKubeApiServer,
  GoUnavailableError,
  type KubeApiServerBinaries,
} from "../scripts/build.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    /** The binaries, or why the real-server tests are skipped. */
    kubeApiServer:
      | { binaries: KubeApiServerBinaries; skip?: undefined }
      | { binaries?: undefined; skip: string };
  }
}

export async function setup(project: TestProject): Promise<void> {
  try {
    const binaries = await buildKubeApiServer({
      onProgress: (line) => console.log(`[kube-apiserver] ${line}`),
    });
    console.log(
      `[kube-apiserver] ${binaries.version} (etcd ${binaries.etcdVersion}) ${
        binaries.cached ? "from the cache" : "built"
      } in ${binaries.seconds.toFixed(1)} s: ${binaries.dir}`,
    );
    project.provide("kubeApiServer", { binaries });
  } catch (error) {
    if (error instanceof GoUnavailableError && !process.env.CI) {
      const skip = `the real kube-apiserver tests are SKIPPED: ${error.message}`;
      console.warn(`[kube-apiserver] ${skip}`);
      project.provide("kubeApiServer", { skip });
      return;
    }
    if (error instanceof GoUnavailableError)
      throw new Error(
        `CI is set, so the real kube-apiserver tests may not be skipped, and the server cannot be built: ${error.message}`,
        { cause: error },
      );
    throw error;
  }
}
