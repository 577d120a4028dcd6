export type {
  BuildOptions,
  KubeApiServerBinaries,
} from "../scripts/build.mjs";
export {
  buildKubeApiServer,
  cacheRoot,
  GoUnavailableError,
  KubeApiServerBuildError,
} from "../scripts/build.mjs";
export { compactEtcd } from "./etcd.js";
export type { HttpAnswer, HttpOptions } from "./https.js";
export { httpCall } from "./https.js";
export type {
  ClientCertificate,
  KubeApiServer,
  KubeApiServerOptions,
} from "./kubeApiServer.js";
export {
  ADMIN_USER,
  KubeApiServerStartError,
  SERVICE_ACCOUNT_ISSUER,
  SERVICE_CLUSTER_IP_RANGE,
  startKubeApiServer,
} from "./kubeApiServer.js";
export { SERVING_NAMES } from "./pki.js";
