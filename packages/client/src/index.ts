export type { Credentials } from "@kin/credentials";
// The headline names of the packages below, so most apps import only @kin/client.
export { CredentialsError, isKinError, KinError, loadInCluster, loadProxy } from "@kin/credentials";
export { loadCredentials, loadKubeconfig } from "@kin/credentials/kubeconfig";
export type { Discovery } from "@kin/discovery";
export { DiscoveryError } from "@kin/discovery";
export type {
  KubeObject,
  ObjectList,
  ObjectMeta,
  PatchBody,
  ResourceDescriptor,
  Scale,
  Status,
  WatchEvent,
} from "@kin/resources";
export {
  applyPatch,
  ConfigMap,
  CustomResourceDefinition,
  DaemonSet,
  Deployment,
  defineResource,
  InvalidNameError,
  Job,
  jsonPatch,
  labelSelector,
  mergePatch,
  Namespace,
  Node,
  Pod,
  Secret,
  Service,
  StatefulSet,
  strategicMergePatch,
} from "@kin/resources";
export {
  ConnectionError,
  KubeApiError,
  RequestAbortedError,
  ResponseTooLargeError,
  StreamError,
  TransportError,
} from "@kin/transport";
export type { Client, ClientOptions, NamespaceOption } from "./client.js";
export { createClient } from "./client.js";
export type {
  AttachOptions,
  ExecOptions,
  ExecResult,
  ExecSession,
  TerminalSize,
} from "./exec.js";
export type { LogOptions } from "./logs.js";
export type {
  ApplyOptions,
  CallOptions,
  DeleteOptions,
  ListOptions,
  WriteOptions,
} from "./options.js";
export type {
  ForwardedConnection,
  ForwardedPort,
  PortForward,
  PortForwardOptions,
  PortSpec,
} from "./portForward.js";
export type { RawApi } from "./raw.js";
export type { ResourceApi } from "./resourceApi.js";
export type { WatchOptions } from "./watch.js";
