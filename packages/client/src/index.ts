export type { Credentials } from "@kin/credentials";
// The headline types of the packages below, so most apps import only @kin/client.
export { CredentialsError, loadInCluster, loadProxy } from "@kin/credentials";
export { loadCredentials, loadKubeconfig } from "@kin/credentials/kubeconfig";
export type { KubeObject, ObjectList, ObjectMeta, ResourceDescriptor } from "@kin/resources";
export { ConfigMap, InvalidNameError, Pod } from "@kin/resources";
export type { Status } from "@kin/transport";
export { ConnectionError, KubeApiError, TransportError } from "@kin/transport";
export type { Client, ClientOptions } from "./client.js";
export { createClient } from "./client.js";
export type { CallOptions, ListOptions, ResourceApi } from "./resourceApi.js";
