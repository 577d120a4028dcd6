import type { Credentials } from "@kin/credentials";
import { loadCredentials } from "@kin/credentials/kubeconfig";
import { createDiscovery, type Discovery, type DiscoveryOptions } from "@kin/discovery";
import {
  CoreV1Event,
  type KubeObject,
  type ObjectList,
  parseApiVersion,
  type ResourceDescriptor,
} from "@kin/resources";
import {
  createTransport,
  KubeApiError,
  type Transport,
  type TransportOptions,
} from "@kin/transport";
import type { CallOptions } from "./options.js";
import { type RawApi, rawApi } from "./raw.js";
import { type ResourceApi, resourceApi } from "./resourceApi.js";

/** Options of {@link createClient}. */
export interface ClientOptions extends TransportOptions {
  /**
   * The credentials to use. Default: `loadCredentials()` from `@kin/credentials/kubeconfig` — a
   * kubeconfig when `KUBECONFIG` is set or `~/.kube/config` exists, else the pod's service account.
   */
  credentials?: Credentials;
  /** Options of the client's discovery (cache TTL, disk cache). */
  discovery?: DiscoveryOptions;
}

/** Where a namespaced API goes: a namespace (default: the client's), or all namespaces (lists and watches). */
export type NamespaceOption =
  | { namespace?: string; allNamespaces?: never }
  | { allNamespaces: true; namespace?: never };

/** A Kubernetes client. */
export interface Client {
  /** The namespace used when none is given: the credentials' namespace. */
  readonly namespace: string;
  /** What the server serves; created on first use, shared by every call. */
  readonly discovery: Discovery;
  /** The transport, for what neither the typed nor the raw API covers (watch streams of any path). */
  readonly transport: Transport;
  /** Requests to any path: `await client.raw.get("/api")`. */
  readonly raw: RawApi;
  /**
   * The typed API of a kind. Namespaced kinds go to the client's namespace unless
   * `{ namespace }` or `{ allNamespaces: true }` says otherwise; cluster-scoped kinds take no
   * namespace (a type error).
   */
  api<T extends KubeObject>(
    descriptor: ResourceDescriptor<T, true>,
    where?: NamespaceOption,
  ): ResourceApi<T>;
  api<T extends KubeObject>(descriptor: ResourceDescriptor<T, false>): ResourceApi<T>;
  /**
   * The API of any kind by `apiVersion` and `kind`, found through discovery (custom resources
   * included). If the server answers 404 for the resource itself (it went away or moved), discovery
   * is refreshed once and the kind looked up again.
   * @throws {InvalidNameError} before any request when `apiVersion` is not `group/version` or
   * `version` with a DNS-1123 subdomain group and a DNS-1123 label version (e.g. `../v1`).
   */
  dynamic(
    apiVersion: string,
    kind: string,
    where?: NamespaceOption & CallOptions,
  ): Promise<ResourceApi<KubeObject>>;
  /** The events about an object (core/v1 Events whose `involvedObject` is it), oldest first. */
  events(object: KubeObject, options?: CallOptions): Promise<ObjectList<CoreV1Event>>;
  /** Closes the client's connections. */
  close(): Promise<void>;
}

/**
 * A client for the API server. With no options it finds credentials as kubectl does: a kubeconfig
 * on a laptop, the service account in a pod.
 * @throws {CredentialsError} when no credentials are given and none can be found.
 */
export async function createClient(options: ClientOptions = {}): Promise<Client> {
  const {
    credentials = await loadCredentials(),
    discovery: discoveryOptions,
    ...transportOptions
  } = options;
  const transport = createTransport(credentials, transportOptions);
  let discovery: Discovery | undefined;
  const discover = () => {
    discovery ??= createDiscovery(transport, discoveryOptions);
    return discovery;
  };
  const bind = <T extends KubeObject>(
    descriptor: ResourceDescriptor<T>,
    where?: NamespaceOption,
  ) => {
    if (!descriptor.namespaced) {
      if (where?.namespace !== undefined || where?.allNamespaces) {
        throw new TypeError(
          `${descriptor.plural}.${descriptor.group || "core"} are cluster-scoped: they have no namespace`,
        );
      }
      return resourceApi(transport, descriptor, undefined);
    }
    return resourceApi(
      transport,
      descriptor,
      where?.allNamespaces ? undefined : (where?.namespace ?? credentials.namespace),
    );
  };

  /** A ResourceApi whose calls re-resolve the kind once when the server says the resource is gone. */
  const rediscovering = (
    apiVersion: string,
    kind: string,
    where: NamespaceOption | undefined,
    first: ResourceDescriptor,
  ): ResourceApi<KubeObject> => {
    let current = bind(first, where);
    const isMissingResource = (error: unknown) =>
      error instanceof KubeApiError &&
      error.code === 404 &&
      !error.status.details?.name &&
      error.status.message === "the server could not find the requested resource";
    return new Proxy(current, {
      get(_target, property) {
        const value = current[property as keyof ResourceApi<KubeObject>];
        if (
          typeof value !== "function" ||
          property === "listAll" ||
          property === "watch" ||
          property === "streamLogs"
        ) {
          return typeof value === "function" ? value.bind(current) : value;
        }
        return async (...args: unknown[]) => {
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(current, args);
          } catch (error) {
            if (!isMissingResource(error)) throw error;
            await discover().refresh();
            current = bind(
              await discover().kindFor({ ...parseApiVersion(apiVersion), kind }),
              where,
            );
            return (
              current[property as keyof ResourceApi<KubeObject>] as (
                ...a: unknown[]
              ) => Promise<unknown>
            ).apply(current, args);
          }
        };
      },
    });
  };

  return {
    namespace: credentials.namespace,
    get discovery() {
      return discover();
    },
    transport,
    raw: rawApi(transport),
    api: bind as Client["api"],
    async dynamic(apiVersion, kind, where) {
      // Refused before any request: a group or version that could not stay in its URL segment.
      const groupVersion = parseApiVersion(apiVersion);
      const descriptor = await discover().kindFor(
        { ...groupVersion, kind },
        { signal: where?.signal },
      );
      return rediscovering(apiVersion, kind, where, descriptor);
    },
    async events(object, o) {
      const { name, namespace, uid } = object.metadata ?? {};
      if (!name) throw new TypeError("events(): the object has no metadata.name");
      const fields = [
        `involvedObject.name=${name}`,
        ...(object.kind ? [`involvedObject.kind=${object.kind}`] : []),
        ...(uid ? [`involvedObject.uid=${uid}`] : []),
      ];
      const api = namespace
        ? resourceApi(transport, CoreV1Event, namespace)
        : resourceApi(transport, CoreV1Event, undefined);
      const list = await api.list({
        fieldSelector: fields.join(","),
        signal: o?.signal,
        timeoutMs: o?.timeoutMs,
      });
      list.items.sort((a, b) =>
        String(a.lastTimestamp ?? a.eventTime ?? a.metadata?.creationTimestamp ?? "").localeCompare(
          String(b.lastTimestamp ?? b.eventTime ?? b.metadata?.creationTimestamp ?? ""),
        ),
      );
      return list;
    },
    close: () => transport.close(),
  };
}
