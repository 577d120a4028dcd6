export type { AuthProvider, TokenProvider } from "./auth.js";
export { basicAuth, staticTokenProvider } from "./auth.js";
export type { Credentials, CredentialsOrigin } from "./credentials.js";
export type { CredentialsErrorCode } from "./errors.js";
export { CredentialsError } from "./errors.js";
export type { InClusterOptions } from "./inCluster.js";
export { loadInCluster } from "./inCluster.js";
export { isKinError, KinError } from "./kinError.js";
export type { PodNamespaceOptions } from "./namespace.js";
export { podNamespace } from "./namespace.js";
export {
  POD_NAMESPACE_ENV,
  SERVICE_ACCOUNT_CA_FILE,
  SERVICE_ACCOUNT_DIR,
  SERVICE_ACCOUNT_NAMESPACE_FILE,
  SERVICE_ACCOUNT_TOKEN_FILE,
  SERVICE_HOST_ENV,
  SERVICE_PORT_ENV,
} from "./paths.js";
export type { ProxyOptions } from "./proxy.js";
export { DEFAULT_PROXY_URL, loadProxy } from "./proxy.js";
export { Redacted } from "./redact.js";
export type { TokenFileOptions } from "./tokenFile.js";
export { tokenFileProvider } from "./tokenFile.js";
