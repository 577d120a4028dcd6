import {
  assertValidName,
  assertValidNamespace,
  type KubeObject,
  type ObjectList,
  type ResourceDescriptor,
  resourcePath,
} from "@kin/resources";
import type { Transport } from "@kin/transport";

/** Options every call takes. */
export interface CallOptions {
  /** Cancels the call and releases its connection. */
  signal?: AbortSignal;
}

/** Options of {@link ResourceApi.list}. */
export interface ListOptions extends CallOptions {
  /** e.g. `app=web,tier!=db`. */
  labelSelector?: string;
  /** e.g. `status.phase=Running`. */
  fieldSelector?: string;
  /** At most this many items; the rest via `continue`. */
  limit?: number;
  /** The `metadata.continue` token of the previous page. */
  continue?: string;
}

/** CRUD on one kind of resource in one namespace. */
export interface ResourceApi<T extends KubeObject> {
  readonly namespace: string;
  get(name: string, options?: CallOptions): Promise<T>;
  list(options?: ListOptions): Promise<ObjectList<T>>;
  /** Creates `object`; `apiVersion`, `kind` and `metadata.namespace` are filled in when absent. */
  create(object: T, options?: CallOptions): Promise<T>;
  /** Deletes the named object; resolves with what the server returns (the object or a Status). */
  delete(name: string, options?: CallOptions): Promise<unknown>;
}

/** The typed API for `descriptor` in `namespace`, over `transport`. Names are validated before they reach a URL. */
export function resourceApi<T extends KubeObject>(
  transport: Transport,
  descriptor: ResourceDescriptor<T, true>,
  namespace: string,
): ResourceApi<T> {
  assertValidNamespace(namespace, "namespace");
  const collection = resourcePath(descriptor, namespace);
  const objectPath = (name: string) => {
    assertValidName(name, "name");
    return resourcePath(descriptor, namespace, name);
  };
  return {
    namespace,
    get: async (name, options) =>
      transport.request<T>({ path: objectPath(name), signal: options?.signal }),
    list: async (options = {}) =>
      transport.request<ObjectList<T>>({
        path: collection,
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: options.limit,
          continue: options.continue,
        },
        signal: options.signal,
      }),
    create: async (object, options) => {
      const metadata = object.metadata ?? {};
      if (metadata.name !== undefined) assertValidName(metadata.name);
      if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
        throw new TypeError(
          `metadata.namespace ${JSON.stringify(metadata.namespace)} does not match the API's namespace ${JSON.stringify(namespace)}`,
        );
      }
      const body = {
        ...object,
        apiVersion: descriptor.apiVersion,
        kind: descriptor.kind,
        metadata: { ...metadata, namespace },
      };
      return transport.request<T>({
        method: "POST",
        path: collection,
        body,
        signal: options?.signal,
      });
    },
    delete: async (name, options) =>
      transport.request<unknown>({
        method: "DELETE",
        path: objectPath(name),
        signal: options?.signal,
      }),
  };
}
