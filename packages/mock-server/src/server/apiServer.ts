import type { KubeObject } from "@kin/resources";
import { Auth, storeObjects } from "../auth/auth.js";
import type { ServiceAccountTokenOptions, StaticIdentity } from "../auth/tokens.js";
import { serveCustomResources } from "../controllers/customResources.js";
import { garbageCollector } from "../controllers/garbageCollector.js";
import { INITIAL_NAMESPACES, namespaceLifecycle } from "../controllers/namespaceLifecycle.js";
import { Catalogue } from "../discovery/catalogue.js";
import {
  AGGREGATED_V2BETA1,
  DiscoveryDocuments,
  type Document,
  negotiateDiscovery,
} from "../discovery/documents.js";
import {
  OPENAPI_V2_PROTOBUF,
  openApiV2,
  openApiV2Protobuf,
  openApiV3,
  openApiV3Index,
  wantsOpenApiV2Protobuf,
} from "../discovery/openapi.js";
import { createFaultInjector, type FaultPlan, type Faults } from "../faults/index.js";
import { answerError, fail, json, text } from "../http/responses.js";
import { route, type Target, type Verb, verbOf } from "../http/routing.js";
import * as status from "../http/status.js";
import { StatusError } from "../http/status.js";
import { updateManagedFields } from "../patch/index.js";
import { timestamp } from "../registry/metadata.js";
import { Registry } from "../registry/registry.js";
import { ObjectStore } from "../registry/store.js";
import { WatchHub } from "../registry/watchHub.js";
import { remove, removeCollection } from "../verbs/delete.js";
import { get, list } from "../verbs/read.js";
import { getScale, writeScale } from "../verbs/scale.js";
import { watch } from "../verbs/watch.js";
import { create, patch, update } from "../verbs/write.js";

export interface ApiServerOptions {
  /**
   * Bearer tokens the server accepts, each as user `kin-mock-user` in groups `system:masters` and
   * `system:authenticated`. More can be added with {@link ApiServer.issueToken}.
   */
  tokens?: Iterable<string>;
  /**
   * `--authorization-mode=RBAC`: the Roles, ClusterRoles, RoleBindings and ClusterRoleBindings stored in
   * the server decide every request (`system:masters` may do anything). Default false: every
   * authenticated user may do anything; anonymous requests may read only the public paths.
   */
  rbac?: boolean;
  /** `iss` of service-account tokens. Default `https://kubernetes.default.svc.cluster.local`. */
  issuer?: string;
  /** `--api-audiences`: a service-account token must carry one of them. Default `[issuer]`. */
  audiences?: string[];
  /** Objects to start with (namespaces `default`, `kube-system`, `kube-public`, `kube-node-lease` always exist). */
  objects?: KubeObject[];
  /** `serverAddress` in `GET /api`. Default: the host the request was sent to. */
  serverAddress?: string;
  /**
   * How many changes the server remembers for watches from a resourceVersion, exact-version lists and
   * continue tokens (the watch cache / etcd compaction window). Older ones get 410 Expired. Default 10000.
   */
  historySize?: number;
  /** How often a watch with `allowWatchBookmarks=true` gets a BOOKMARK. Default 60000 ms (the cacher's minute). */
  bookmarkIntervalMs?: number;
  /** Faults to inject (see `src/faults/plan.ts` and the README's Faults section). Change later with `faults.set()`. */
  faults?: FaultPlan;
  /** The server's log: one line per request (method, path and query, status, time) and per fault fired. Never a token. */
  log?: (line: string) => void;
}

/** The core of the fake API server: a fetch-style handler over an in-memory store. Adapters serve it. */
export interface ApiServer {
  /** Answers one request as kube-apiserver v1.28 would. */
  handle(request: Request): Promise<Response>;
  /**
   * A new random bearer token the server accepts, as `identity` (default user `kin-mock-user` in group
   * `system:masters`; `system:authenticated` is always added).
   */
  issueToken(identity?: StaticIdentity): string;
  /**
   * A bound service-account token: an ES256-signed JWT with the claims of a TokenRequest token (`iss`,
   * `aud`, `exp`, `iat`, `nbf`, `sub`, `kubernetes.io` with the service account and pod). The
   * ServiceAccount is created if missing (its namespace must exist); the token stops working when it, or
   * the bound pod, is deleted.
   */
  issueServiceAccountToken(options: ServiceAccountTokenOptions): string;
  /** Stops accepting `token` (either kind): requests that carry it get 401 from now on. */
  revokeToken(token: string): void;
  /** `token` expires now (a service-account token: as if its `exp` had passed; a static one is revoked). */
  expireToken(token: string): void;
  /**
   * Stores an object directly (no authentication), as a test's seed: server metadata is set, the
   * status given is kept. Throws (a `StatusError`-like Error with the server's message) if its kind is
   * not served, its name is taken or invalid, or its namespace does not exist.
   */
  add<T extends KubeObject>(object: T): T;
  /** {@link add} for many objects at once (namespaces first), in one call; returns the stored objects. */
  seed<T extends KubeObject>(objects: readonly T[]): T[];
  /** Forgets the change history (as an etcd compaction): older watch versions and continue tokens get 410. */
  compact(): void;
  /** The latest resourceVersion. */
  readonly resourceVersion: string;
  /** How many watches are open. */
  readonly watchCount: number;
  /** Ends every open watch and pending timer (graceful deletions). */
  close(): void;
  /** The fault plan: `faults.set(plan)`, `faults.clear()`, `faults.counts()`. */
  readonly faults: Faults;
}

const VERSION = {
  major: "1",
  minor: "28",
  gitVersion: "v1.28.4",
  gitCommit: "bae2c62678db2b5053817bc97181fcc2e8388103",
  gitTreeState: "clean",
  buildDate: "2023-11-15T16:48:54Z",
  goVersion: "go1.20.11",
  compiler: "gc",
  platform: "linux/amd64",
};

/**
 * A fake kube-apiserver v1.28 core: every built-in resource of @kin/resources and the custom
 * resources of CRDs, with the server's metadata, verbs, watch, errors and discovery. Checks bearer
 * tokens: no token is `system:anonymous` (only public paths), a wrong token is 401.
 */
export function createApiServer(options: ApiServerOptions = {}): ApiServer {
  const catalogue = new Catalogue();
  const store = new ObjectStore(options.historySize ?? 10_000);
  const hub = new WatchHub(store, options.bookmarkIntervalMs ?? 60_000);
  const registry = new Registry(catalogue, store);
  // The controllers, in this order (their hooks run in the order they are registered).
  garbageCollector(registry);
  namespaceLifecycle(registry);
  serveCustomResources(registry, hub);
  // Every write through the API records managedFields (operation Update) for its field manager.
  registry.managedFields = (served, before, after, manager) =>
    updateManagedFields(
      before as Record<string, unknown> | undefined,
      after as Record<string, unknown>,
      {
        manager,
        operation: "Update",
        definition:
          served.definition ?? `${served.descriptor.apiVersion}/${served.descriptor.kind}`,
        now: timestamp(),
      },
    ) as KubeObject;
  const discovery = new DiscoveryDocuments(catalogue);
  const namespaces = catalogue.get("", "v1", "namespaces");
  for (const name of INITIAL_NAMESPACES)
    registry.create(
      namespaces as NonNullable<typeof namespaces>,
      { metadata: { name } } as KubeObject,
      { seed: true },
    );

  function add<T extends KubeObject>(object: T): T {
    const served = catalogue.byKind(object.apiVersion ?? "", object.kind ?? "");
    if (!served)
      throw new Error(
        `${object.apiVersion}/${object.kind} is not served (not a built-in kind nor one of an established CRD)`,
      );
    try {
      return registry.create(served, object, { seed: true }) as T;
    } catch (error) {
      if (error instanceof StatusError) throw new Error(error.status.message);
      throw error;
    }
  }

  // Authentication (static and service-account tokens) and authorization (src/auth/).
  const auth = new Auth(storeObjects(store, add), options);
  for (const token of options.tokens ?? []) auth.tokens.addStatic(token);

  for (const object of options.objects ?? []) add(object);
  // The watch cache starts from a list at start-up: versions before it are too old (410), as on a
  // real server whose etcd history before the apiserver started is out of the cache's window.
  store.compact();

  const answer = (d: Document, request: Request, contentType = "application/json") => {
    if (request.headers.get("if-none-match") === d.etag)
      return new Response(null, { status: 304, headers: { etag: d.etag, vary: "Accept" } });
    return new Response(d.body, {
      headers: { "content-type": contentType, etag: d.etag, vary: "Accept" },
    });
  };

  function discoveryRoot(request: Request, core: boolean, url: URL): Response {
    const kind = negotiateDiscovery(request.headers.get("accept"));
    if (kind === "none")
      return fail(
        status.notAcceptable(
          `only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf, ${AGGREGATED_V2BETA1}`,
        ),
      );
    if (kind === "aggregated")
      return answer(discovery.aggregated(core), request, AGGREGATED_V2BETA1);
    return core
      ? answer(discovery.apiVersions(options.serverAddress ?? url.host), request)
      : answer(discovery.groupList(), request);
  }

  function nonResource(request: Request, path: string, url: URL): Response | undefined {
    switch (path) {
      case "/version":
        return json(VERSION);
      case "/healthz":
      case "/livez":
      case "/readyz":
        return new Response("ok", { headers: { "content-type": "text/plain; charset=utf-8" } });
      case "/api":
        return discoveryRoot(request, true, url);
      case "/apis":
        return discoveryRoot(request, false, url);
      case "/openapi/v2": {
        if (wantsOpenApiV2Protobuf(request.headers.get("accept"))) {
          const proto = openApiV2Protobuf();
          return proto === undefined
            ? undefined
            : new Response(proto, { headers: { "content-type": OPENAPI_V2_PROTOBUF } });
        }
        const body = openApiV2();
        return body === undefined ? undefined : text(body);
      }
      case "/openapi/v3": {
        const body = openApiV3Index();
        return body === undefined ? undefined : text(body);
      }
    }
    if (path.startsWith("/openapi/v3/")) {
      const body = openApiV3(path.slice("/openapi/v3/".length));
      return body === undefined ? undefined : text(body);
    }
    const parts = path.split("/").filter(Boolean);
    if (parts[0] === "api" && parts.length === 2) {
      const d = discovery.resourceList("", parts[1] as string);
      return d && answer(d, request);
    }
    if (parts[0] === "apis" && parts.length === 2) {
      const d = discovery.group(parts[1] as string);
      return d && answer(d, request);
    }
    if (parts[0] === "apis" && parts.length === 3) {
      const d = discovery.resourceList(parts[1] as string, parts[2] as string);
      return d && answer(d, request);
    }
    return undefined;
  }

  async function dispatch(verb: Verb, target: Target, request: Request, query: URLSearchParams) {
    const sub = target.subresource;
    if (sub === "scale") {
      if (verb === "get") return getScale(registry, target);
      if (verb === "update" || verb === "patch")
        return writeScale(registry, target, request, query, verb === "update" ? "PUT" : "PATCH");
      return fail(status.methodNotAllowed());
    }
    if (sub !== undefined && sub !== "status") {
      // Connect and other subresources (log, exec, eviction, binding…) are not modelled.
      return fail(status.methodNotAllowed());
    }
    switch (verb) {
      case "get":
        return get(store, target, query, request.headers.get("accept"));
      case "list":
        return list(store, target, query, request.headers.get("accept"));
      case "watch":
        return watch(store, hub, target, query, request.headers.get("accept"));
      case "create":
        return sub ? fail(status.methodNotAllowed()) : create(registry, target, request, query);
      case "update":
        return update(registry, target, request, query);
      case "patch":
        return patch(registry, target, request, query);
      case "delete":
        return sub ? fail(status.methodNotAllowed()) : remove(registry, target, request, query);
      case "deletecollection":
        return removeCollection(registry, target, request, query);
    }
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    const user = auth.authenticate(request);
    if (user instanceof Response) return user;
    const denied = auth.authorize(user, request, url);
    if (denied) return denied;
    try {
      const found = route(catalogue, path);
      if (found.kind !== "resource") {
        const result = request.method === "GET" ? nonResource(request, path, url) : undefined;
        if (result) return result;
        return found.kind === "unknownResource" ||
          (path.startsWith("/api/") && found.kind === "none" && request.method !== "GET")
          ? fail(status.noSuchResource())
          : new Response("404 page not found\n", {
              status: 404,
              headers: { "content-type": "text/plain; charset=utf-8" },
            });
      }
      const target = found.target;
      const verb = verbOf(request.method, target, url.searchParams);
      if (!verb) return fail(status.methodNotAllowed());
      const allowed = target.subresource
        ? target.served.descriptor.subresources?.[target.subresource]?.verbs
        : target.served.descriptor.verbs;
      const review = auth.review(verb, target.served.descriptor, request, user);
      if (review) return await review;
      if (allowed && !allowed.includes(verb) && !(target.subresource && verb === "patch"))
        return fail(status.methodNotAllowed());
      return await dispatch(verb, target, request, url.searchParams);
    } catch (error) {
      return answerError(error);
    }
  }

  const faults = createFaultInjector({
    plan: options.faults,
    log: options.log,
    expireToken: (token) => server.expireToken(token),
    resourceVersion: () => String(store.revision),
  });
  const server: ApiServer = {
    handle: (request) => faults.handle(request, handle),
    faults,
    issueToken: (identity) => auth.tokens.issueStatic(identity),
    issueServiceAccountToken: (tokenOptions) => auth.tokens.issueServiceAccountToken(tokenOptions),
    revokeToken: (token) => auth.tokens.revoke(token),
    expireToken: (token) => auth.tokens.expire(token),
    add,
    seed(objects) {
      const isNs = (o: KubeObject) => o.apiVersion === "v1" && o.kind === "Namespace";
      const isCrd = (o: KubeObject) => o.kind === "CustomResourceDefinition";
      const ordered = [
        ...objects.filter(isNs),
        ...objects.filter(isCrd),
        ...objects.filter((o) => !isNs(o) && !isCrd(o)),
      ];
      return ordered.map((o) => add(o));
    },
    compact() {
      store.compact();
    },
    get resourceVersion() {
      return String(store.revision);
    },
    get watchCount() {
      return hub.size;
    },
    close() {
      hub.closeAll();
      registry.dispose();
    },
  };
  return server;
}
