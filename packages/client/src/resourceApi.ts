import {
  type ApplyConfiguration,
  applyPatch,
  assertValidName,
  assertValidNamespace,
  assertValidPathSegmentName,
  type KubeObject,
  type ObjectList,
  type PatchBody,
  type ResourceDescriptor,
  resourcePath,
  type Scale,
  type Status,
  type WatchEvent,
} from "@kin/resources";
import type { Transport } from "@kin/transport";
import { type AttachOptions, type ExecOptions, type ExecSession, openSession } from "./exec.js";
import { type LogOptions, logLines, logText } from "./logs.js";
import {
  type ApplyOptions,
  type CallOptions,
  type DeleteOptions,
  deleteBody,
  type ListOptions,
  listQuery,
  type WriteOptions,
  writeQuery,
} from "./options.js";
import {
  type PortForward,
  type PortForwardOptions,
  type PortSpec,
  portForward,
} from "./portForward.js";
import { type WatchOptions, watchResource } from "./watch.js";

/** Operations on one kind of resource, in one namespace (or cluster-wide). */
export interface ResourceApi<T extends KubeObject> {
  /** The descriptor this API serves. */
  readonly descriptor: ResourceDescriptor<T>;
  /** The namespace calls go to; `undefined` for cluster-scoped kinds and across all namespaces. */
  readonly namespace: string | undefined;
  get(name: string, options?: CallOptions): Promise<T>;
  /** One page (or all, without `limit`). */
  list(options?: ListOptions): Promise<ObjectList<T>>;
  /**
   * Every item, page by page (`limit` is the page size, default 500). A continue token that
   * expired mid-way (410) is thrown as the server's `KubeApiError` (`isGone()`): the list is not
   * silently restarted, since items may have changed between pages.
   */
  listAll(options?: ListOptions): AsyncGenerator<T>;
  /** Creates `object`; `apiVersion`, `kind` and (namespaced kinds) `metadata.namespace` are filled in. */
  create(object: T, options?: WriteOptions): Promise<T>;
  /** Replaces the object named by `object.metadata.name` (its `resourceVersion`, if set, guards against lost updates: 409). */
  replace(object: T, options?: WriteOptions): Promise<T>;
  /** Patches with a body from `jsonPatch`, `mergePatch` or `strategicMergePatch` of `@kin/resources`. */
  patch(name: string, patch: PatchBody, options?: WriteOptions): Promise<T>;
  /** Server-side apply of `configuration` as `fieldManager` (`force` takes over conflicting fields). */
  apply(configuration: ApplyConfiguration<T>, options: ApplyOptions): Promise<T>;
  /** Deletes; resolves with what the server answers: the object (for kinds that return it, or when finalizers delay it) or a Status. */
  delete(name: string, options?: DeleteOptions): Promise<T | Status>;
  /** Deletes every object matching the selectors. */
  deleteCollection(options?: ListOptions & DeleteOptions): Promise<ObjectList<T> | Status>;
  /** The `status` subresource. */
  getStatus(name: string, options?: CallOptions): Promise<T>;
  replaceStatus(object: T, options?: WriteOptions): Promise<T>;
  patchStatus(name: string, patch: PatchBody, options?: WriteOptions): Promise<T>;
  /** The `scale` subresource (Deployments, ReplicaSets, StatefulSets, …), an `autoscaling/v1` Scale. */
  getScale(name: string, options?: CallOptions): Promise<Scale>;
  patchScale(name: string, patch: PatchBody, options?: WriteOptions): Promise<Scale>;
  replaceScale(name: string, scale: Scale, options?: WriteOptions): Promise<Scale>;
  /** A watch that resumes across dropped connections and server timeouts; see `WatchOptions`. */
  watch(options?: WatchOptions): AsyncGenerator<WatchEvent<T>>;
  /** Pod logs as text (Pods only). */
  logs(name: string, options?: LogOptions): Promise<string>;
  /** Pod logs line by line as they come (`follow: true` to keep reading). */
  streamLogs(name: string, options?: LogOptions): AsyncGenerator<string>;
  /**
   * Runs `command` in a container of the pod (Pods only) over WebSocket; resolves once the session is
   * open with its streams and a `result` promise of the exit code. See `ExecSession`.
   */
  exec(name: string, command: readonly string[], options?: ExecOptions): Promise<ExecSession>;
  /** Attaches to the main process of a container of the pod (Pods only), as `exec` without a command. */
  attach(name: string, options?: AttachOptions): Promise<ExecSession>;
  /**
   * Forwards local TCP ports to the pod's ports (Pods only): a listener per port on 127.0.0.1, any
   * number of concurrent connections, each over its own WebSocket. See `PortForward`.
   */
  portForward(
    name: string,
    ports: readonly PortSpec[],
    options?: PortForwardOptions,
  ): Promise<PortForward>;
}

/** The typed API of `descriptor` in `namespace` (`undefined`: cluster-scoped or all namespaces). */
export function resourceApi<T extends KubeObject>(
  transport: Transport,
  descriptor: ResourceDescriptor<T>,
  namespace: string | undefined,
): ResourceApi<T> {
  if (namespace !== undefined) assertValidNamespace(namespace, "namespace");
  const collection = resourcePath(descriptor, namespace);
  const objectPath = (name: string, subresource?: string) => {
    // What the server requires of a name in a path; the kind's own rule is for new objects (body()).
    assertValidPathSegmentName(name, "name");
    if (descriptor.namespaced && namespace === undefined) {
      throw new TypeError(
        `${descriptor.plural} are namespaced: choose a namespace for ${JSON.stringify(name)}`,
      );
    }
    const path = resourcePath(descriptor, namespace, name);
    return subresource ? `${path}/${subresource}` : path;
  };
  const requireSubresource = (name: string) => {
    if (descriptor.subresources && !(name in descriptor.subresources)) {
      throw new TypeError(
        `${descriptor.plural}.${descriptor.group || "core"} has no ${name} subresource`,
      );
    }
  };
  const body = (object: T): T => {
    const metadata = object.metadata ?? {};
    if (metadata.name !== undefined) assertValidName(metadata.name, "metadata.name", descriptor);
    if (descriptor.namespaced) {
      if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
        throw new TypeError(
          `metadata.namespace ${JSON.stringify(metadata.namespace)} does not match the API's namespace ${JSON.stringify(namespace)}`,
        );
      }
      if (namespace === undefined)
        throw new TypeError(`${descriptor.plural} are namespaced: choose a namespace to write to`);
    }
    return {
      ...object,
      apiVersion: descriptor.apiVersion,
      kind: descriptor.kind,
      metadata: { ...metadata, ...(descriptor.namespaced ? { namespace } : {}) },
    };
  };
  const nameOf = (object: T) => {
    const name = object.metadata?.name;
    if (!name) throw new TypeError("metadata.name is required to replace an object");
    return name;
  };
  const send = <R>(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    options: CallOptions | undefined,
    extra: {
      body?: unknown;
      serializedBody?: string;
      contentType?: string;
      query?: Record<string, string | number | boolean | undefined>;
    } = {},
  ) =>
    transport.request<R>({
      method,
      path,
      signal: options?.signal,
      timeoutMs: options?.timeoutMs,
      ...extra,
    });

  const api: ResourceApi<T> = {
    descriptor,
    namespace,
    get: async (name, options) => send<T>("GET", objectPath(name), options),
    list: async (options) =>
      send<ObjectList<T>>("GET", collection, options, { query: listQuery(options) }),
    async *listAll(options = {}) {
      let token = options.continue;
      do {
        const page = await api.list({ ...options, limit: options.limit ?? 500, continue: token });
        yield* page.items;
        token = page.metadata.continue || undefined;
      } while (token);
    },
    create: async (object, options) =>
      send<T>("POST", collection, options, { body: body(object), query: writeQuery(options) }),
    replace: async (object, options) =>
      send<T>("PUT", objectPath(nameOf(object)), options, {
        body: body(object),
        query: writeQuery(options),
      }),
    patch: async (name, patch, options) =>
      send<T>("PATCH", objectPath(name), options, {
        serializedBody: patch.body,
        contentType: patch.contentType,
        query: writeQuery(options),
      }),
    apply: async (configuration, options) => {
      const patch = applyPatch({
        ...configuration,
        apiVersion: configuration.apiVersion ?? descriptor.apiVersion,
        kind: configuration.kind ?? descriptor.kind,
      });
      return send<T>("PATCH", objectPath(configuration.metadata.name), options, {
        serializedBody: patch.body,
        contentType: patch.contentType,
        query: { ...writeQuery(options), force: options.force ? true : undefined },
      });
    },
    delete: async (name, options) =>
      send<T | Status>("DELETE", objectPath(name), options, { body: deleteBody(options) }),
    deleteCollection: async (options) => {
      if (descriptor.namespaced && namespace === undefined)
        throw new TypeError(`${descriptor.plural} are namespaced: choose a namespace to delete in`);
      return send<ObjectList<T> | Status>("DELETE", collection, options, {
        body: deleteBody(options),
        query: listQuery(options),
      });
    },
    getStatus: async (name, options) => {
      requireSubresource("status");
      return send<T>("GET", objectPath(name, "status"), options);
    },
    replaceStatus: async (object, options) => {
      requireSubresource("status");
      return send<T>("PUT", objectPath(nameOf(object), "status"), options, {
        body: body(object),
        query: writeQuery(options),
      });
    },
    patchStatus: async (name, patch, options) => {
      requireSubresource("status");
      return send<T>("PATCH", objectPath(name, "status"), options, {
        serializedBody: patch.body,
        contentType: patch.contentType,
        query: writeQuery(options),
      });
    },
    getScale: async (name, options) => {
      requireSubresource("scale");
      return send<Scale>("GET", objectPath(name, "scale"), options);
    },
    patchScale: async (name, patch, options) => {
      requireSubresource("scale");
      return send<Scale>("PATCH", objectPath(name, "scale"), options, {
        serializedBody: patch.body,
        contentType: patch.contentType,
        query: writeQuery(options),
      });
    },
    replaceScale: async (name, scale, options) => {
      requireSubresource("scale");
      return send<Scale>("PUT", objectPath(name, "scale"), options, {
        body: { apiVersion: "autoscaling/v1", kind: "Scale", ...scale },
        query: writeQuery(options),
      });
    },
    watch: (options) => watchResource<T>(transport, collection, options),
    logs: async (name, options) => {
      requireSubresource("log");
      return logText(transport, objectPath(name, "log"), options);
    },
    streamLogs: (name, options) => {
      requireSubresource("log");
      return logLines(transport, objectPath(name, "log"), options);
    },
    exec: async (name, command, options) => {
      requireSubresource("exec");
      return openSession(transport, objectPath(name, "exec"), command, options);
    },
    attach: async (name, options) => {
      requireSubresource("attach");
      return openSession(transport, objectPath(name, "attach"), undefined, options);
    },
    portForward: async (name, ports, options) => {
      requireSubresource("portforward");
      return portForward(transport, objectPath(name), ports, options);
    },
  };
  return api;
}
