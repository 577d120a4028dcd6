// @kin/credentials/kubeconfig: kubeconfig loading and the automatic front door. This entry uses the
// `yaml` package; `@kin/credentials` itself stays dependency-free.

export type { LoadCredentialsOptions } from "./auto.js";
export { loadCredentials } from "./auto.js";
export type { ExecClusterInfo, ExecOptions } from "./exec.js";
export { execProvider } from "./exec.js";
export type { KubeconfigOptions } from "./load.js";
export { kubeconfigExists, kubeconfigFiles, loadKubeconfig } from "./load.js";
export type { ExecConfig } from "./types.js";
