export type {
  HttpsListener,
  Listener,
  ListenOptions,
  ProxyOptions,
} from "./adapters/httpsListener.js";
export { listen, listenProxy } from "./adapters/httpsListener.js";
export type { UserInfo } from "./auth/identity.js";
export type { ServiceAccountTokenOptions, StaticIdentity } from "./auth/tokens.js";
export type { Fault, FaultMatch, FaultPlan, FaultRule, Faults } from "./faults/index.js";
export { FaultPlanError } from "./faults/index.js";
export type {
  CertificateAuthority,
  Certificates,
  IssuedCertificate,
  IssueOptions,
} from "./harness/certificates.js";
export {
  createCertificateAuthority,
  DEFAULT_SERVER_NAMES,
  generateCertificates,
} from "./harness/certificates.js";
export { credentialsFor } from "./harness/credentialsFor.js";
export type { Manifest } from "./harness/manifests.js";
export { ManifestError, readManifests } from "./harness/manifests.js";
export type {
  PodEnvironment,
  PodEnvironmentOptions,
  PodServiceAccount,
} from "./harness/podEnvironment.js";
export { createPodEnvironment } from "./harness/podEnvironment.js";
export type { PodIsolation, PodProcessOptions } from "./harness/podProcess.js";
export { podIsolation, spawnInPod } from "./harness/podProcess.js";
export type { ApiServer, ApiServerOptions } from "./server/apiServer.js";
export { createApiServer } from "./server/apiServer.js";
