export type { ApiServer, ApiServerOptions } from "./apiServer.js";
export { createApiServer } from "./apiServer.js";
export type { UserInfo } from "./auth/identity.js";
export type { ServiceAccountTokenOptions, StaticIdentity } from "./auth/tokens.js";
export type {
  CertificateAuthority,
  Certificates,
  IssuedCertificate,
  IssueOptions,
} from "./certificates.js";
export {
  createCertificateAuthority,
  DEFAULT_SERVER_NAMES,
  generateCertificates,
} from "./certificates.js";
export { credentialsFor } from "./credentialsFor.js";
export type { Fault, FaultMatch, FaultPlan, FaultRule, Faults } from "./faults/index.js";
export { FaultPlanError } from "./faults/index.js";
export type { HttpsListener, Listener, ListenOptions, ProxyOptions } from "./httpsListener.js";
export { listen, listenProxy } from "./httpsListener.js";
export type { Manifest } from "./manifests.js";
export { ManifestError, readManifests } from "./manifests.js";
export type {
  PodEnvironment,
  PodEnvironmentOptions,
  PodServiceAccount,
} from "./podEnvironment.js";
export { createPodEnvironment } from "./podEnvironment.js";
export type { PodIsolation, PodProcessOptions } from "./podProcess.js";
export { podIsolation, spawnInPod } from "./podProcess.js";
