import type { Credentials } from "@kin/credentials";
import { loadCredentials } from "@kin/credentials/kubeconfig";
import { createDiscovery, type Discovery } from "@kin/discovery";
import type { KubeObject, ResourceDescriptor } from "@kin/resources";
import { createTransport, type Transport, type TransportOptions } from "@kin/transport";
import { type ResourceApi, resourceApi } from "./resourceApi.js";

/** Options of {@link createClient}. */
export interface ClientOptions extends TransportOptions {
  /**
   * The credentials to use. Default: `loadCredentials()` from `@kin/credentials/kubeconfig` — a
   * kubeconfig when `KUBECONFIG` is set or `~/.kube/config` exists, else the pod's service account.
   */
  credentials?: Credentials;
}

/** A Kubernetes client. */
export interface Client {
  /** The namespace used when none is given: the credentials' namespace. */
  readonly namespace: string;
  /** What the server serves. */
  readonly discovery: Discovery;
  /** The transport, for requests the typed API does not cover. */
  readonly transport: Transport;
  /** The typed API of a namespaced kind, in `namespace` (default: {@link Client.namespace}). */
  api<T extends KubeObject>(
    descriptor: ResourceDescriptor<T, true>,
    namespace?: string,
  ): ResourceApi<T>;
  /** Closes the client's connections. */
  close(): Promise<void>;
}

/**
 * A client for the API server. With no options it finds credentials as kubectl does: a kubeconfig
 * on a laptop, the service account in a pod.
 * @throws {CredentialsError} when no credentials are given and none can be found.
 */
export async function createClient(options: ClientOptions = {}): Promise<Client> {
  const { credentials = await loadCredentials(), ...transportOptions } = options;
  const transport = createTransport(credentials, transportOptions);
  return {
    namespace: credentials.namespace,
    discovery: createDiscovery(transport),
    transport,
    api: (descriptor, namespace = credentials.namespace) =>
      resourceApi(transport, descriptor, namespace),
    close: () => transport.close(),
  };
}
