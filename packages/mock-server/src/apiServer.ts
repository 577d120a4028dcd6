import { randomBytes } from "node:crypto";
import {
  ConfigMap,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  type KubeObject,
  Namespace,
  Pod,
  type ResourceDescriptor,
} from "@kin/resources";
import { parseFieldSelector } from "./fieldSelector.js";
import { parseLabelSelector } from "./labelSelector.js";
import * as status from "./status.js";
import { ObjectStore } from "./store.js";

/** The kinds this server serves, with what discovery says of them. */
const served: { descriptor: ResourceDescriptor; shortNames: string[] }[] = [
  { descriptor: Namespace, shortNames: ["ns"] },
  { descriptor: Pod, shortNames: ["po"] },
  { descriptor: ConfigMap, shortNames: ["cm"] },
];
const byPlural = new Map(served.map((entry) => [entry.descriptor.plural, entry.descriptor]));

/** Namespaces every cluster starts with. */
const INITIAL_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Paths the `system:public-info-viewer` role lets anonymous users read. */
const PUBLIC_PATHS = new Set(["/version", "/version/", "/healthz", "/livez", "/readyz"]);

export interface ApiServerOptions {
  /** Bearer tokens the server accepts. More can be added with {@link ApiServer.issueToken}. */
  tokens?: Iterable<string>;
  /** Objects to start with (namespaces `default`, `kube-system`, `kube-public`, `kube-node-lease` always exist). */
  objects?: KubeObject[];
  /** `serverAddress` in `GET /api`. Default: the host the request was sent to. */
  serverAddress?: string;
}

/** The core of the fake API server: a fetch-style handler over an in-memory store. Adapters serve it. */
export interface ApiServer {
  /** Answers one request as kube-apiserver v1.28 would. */
  handle(request: Request): Promise<Response>;
  /** A new random bearer token the server accepts. */
  issueToken(): string;
  /** Stops accepting `token`: requests that carry it get 401 from now on. */
  revokeToken(token: string): void;
  /** Stores an object directly (no authentication), as a test's seed. Throws if its name is taken or it is invalid. */
  add<T extends KubeObject>(object: T): T;
}

const json = (body: unknown, code = 200) =>
  new Response(JSON.stringify(body), {
    status: code,
    headers: { "content-type": "application/json" },
  });
const fail = (body: status.StatusBody) => json(body, body.code);

type Verb = "get" | "list" | "create" | "delete";

interface Target {
  descriptor: ResourceDescriptor;
  namespace: string | undefined;
  name: string | undefined;
}

/** Parses `/api/v1[/namespaces/{ns}]/{plural}[/{name}]`; `undefined` when it names nothing served. */
function parseTarget(path: string): Target | undefined {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== "api" || parts[1] !== "v1") return undefined;
  let rest = parts.slice(2);
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, ...more] = rest;
  const descriptor = plural === undefined ? undefined : byPlural.get(plural);
  if (!descriptor || more.length > 0) return undefined;
  if (namespace !== undefined && !descriptor.namespaced) return undefined;
  return { descriptor, namespace, name };
}

function verbOf(method: string, target: Target): Verb | undefined {
  if (method === "GET") return target.name === undefined ? "list" : "get";
  if (method === "POST" && target.name === undefined) return "create";
  if (method === "DELETE" && target.name !== undefined) return "delete";
  return undefined;
}

/** The 403 message of the RBAC authorizer for a resource request. */
function forbiddenMessage(user: string, verb: Verb, target: Target): string {
  const { plural } = target.descriptor;
  const subject = target.name === undefined ? plural : `${plural} "${target.name}"`;
  const scope =
    target.namespace === undefined
      ? "at the cluster scope"
      : `in the namespace "${target.namespace}"`;
  return `${subject} is forbidden: User "${user}" cannot ${verb} resource "${plural}" in API group "${target.descriptor.group}" ${scope}`;
}

/** Items in a list carry no apiVersion/kind, as the server encodes them. */
function listItem(object: KubeObject): KubeObject {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

// The apiserver's continue token: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"}.
const encodeContinue = (rv: string, lastKey: string) =>
  Buffer.from(
    JSON.stringify({ v: "meta.k8s.io/v1", rv: Number(rv), start: `${lastKey}\u0000` }),
  ).toString("base64url");

function decodeContinue(token: string): ContinueToken {
  const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as ContinueToken;
  if (decoded.v !== "meta.k8s.io/v1" || typeof decoded.start !== "string")
    throw new Error("invalid continue token");
  return decoded;
}

/**
 * A fake kube-apiserver core. It serves `core/v1` namespaces, pods and configmaps (get, list with
 * label/field selectors and pagination, create, delete), `/version`, `/api`, `/api/v1` and `/apis`,
 * and checks bearer tokens: no token is `system:anonymous` (only public paths), a wrong token is 401.
 */
export function createApiServer(options: ApiServerOptions = {}): ApiServer {
  const store = new ObjectStore();
  const tokens = new Set(options.tokens);
  for (const name of INITIAL_NAMESPACES) {
    store.create(Namespace, {
      metadata: { name },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    } as KubeObject);
  }

  function validate(
    descriptor: ResourceDescriptor,
    object: KubeObject,
  ): status.StatusBody | undefined {
    const metadata = object.metadata ?? {};
    const name = metadata.name ?? metadata.generateName ?? "";
    const causes: status.FieldCause[] = [];
    if (metadata.name === undefined && !metadata.generateName) {
      causes.push({
        type: "Required",
        field: "metadata.name",
        detail: "name or generateName is required",
      });
    } else if (metadata.name !== undefined) {
      // Namespaces are DNS-1123 labels; the other served kinds DNS-1123 subdomains.
      const problems =
        descriptor === Namespace
          ? dns1123LabelErrors(metadata.name)
          : dns1123SubdomainErrors(metadata.name);
      for (const detail of problems)
        causes.push({ type: "Invalid", field: "metadata.name", value: metadata.name, detail });
    }
    if (descriptor === Pod) {
      const containers = (object as { spec?: { containers?: unknown } }).spec?.containers;
      if (!Array.isArray(containers) || containers.length === 0)
        causes.push({ type: "Required", field: "spec.containers" });
    }
    return causes.length > 0 ? status.invalid(descriptor.kind, name, causes) : undefined;
  }

  function insert(
    descriptor: ResourceDescriptor,
    object: KubeObject,
  ): KubeObject | status.StatusBody {
    const problem = validate(descriptor, object);
    if (problem) return problem;
    const namespace = object.metadata?.namespace;
    if (
      descriptor.namespaced &&
      (namespace === undefined || !store.get(Namespace, undefined, namespace))
    ) {
      return status.notFound("namespaces", namespace ?? "");
    }
    const created = store.create(
      descriptor,
      descriptor.namespaced
        ? object
        : { ...object, metadata: { ...object.metadata, namespace: undefined } },
    );
    return created ?? status.alreadyExists(descriptor.plural, object.metadata?.name ?? "");
  }

  function list(target: Target, url: URL): Response {
    const query = url.searchParams;
    let matchesLabels: ReturnType<typeof parseLabelSelector>;
    let matchesFields: ReturnType<typeof parseFieldSelector>;
    try {
      matchesLabels = parseLabelSelector(query.get("labelSelector") ?? "");
      matchesFields = parseFieldSelector(
        target.descriptor.plural,
        query.get("fieldSelector") ?? "",
      );
    } catch (error) {
      return fail(status.badRequest((error as Error).message));
    }
    let start = "";
    const token = query.get("continue");
    if (token) {
      try {
        start = decodeContinue(token).start;
      } catch (error) {
        return fail(status.badRequest(`continue key is not valid: ${(error as Error).message}`));
      }
    }
    const matching = store
      .list(target.descriptor, target.namespace)
      .filter(
        ({ key, object }) =>
          key >= start && matchesLabels(object.metadata?.labels ?? {}) && matchesFields(object),
      );
    const limit = Number(query.get("limit") ?? 0);
    const page = limit > 0 ? matching.slice(0, limit) : matching;
    const resourceVersion = store.resourceVersion;
    const last = page.at(-1);
    const more = matching.length > page.length && last !== undefined;
    return json({
      kind: `${target.descriptor.kind}List`,
      apiVersion: target.descriptor.apiVersion,
      metadata: {
        resourceVersion,
        ...(more
          ? {
              continue: encodeContinue(resourceVersion, last.key),
              remainingItemCount: matching.length - page.length,
            }
          : {}),
      },
      items: page.map(({ object }) => listItem(object)),
    });
  }

  async function create(target: Target, request: Request): Promise<Response> {
    let object: KubeObject;
    try {
      object = (await request.json()) as KubeObject;
    } catch (error) {
      return fail(
        status.badRequest(
          `the body of the request was in an unknown format: ${(error as Error).message}`,
        ),
      );
    }
    if (typeof object !== "object" || object === null || Array.isArray(object)) {
      return fail(status.badRequest("the body of the request must be a JSON object"));
    }
    const { descriptor } = target;
    if (
      (object.kind !== undefined && object.kind !== descriptor.kind) ||
      (object.apiVersion !== undefined && object.apiVersion !== descriptor.apiVersion)
    ) {
      return fail(
        status.badRequest(
          `the API version in the data (${object.apiVersion}) does not match the expected API version (${descriptor.apiVersion})`,
        ),
      );
    }
    const bodyNamespace = object.metadata?.namespace;
    if (
      descriptor.namespaced &&
      bodyNamespace !== undefined &&
      bodyNamespace !== target.namespace
    ) {
      return fail(
        status.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        ),
      );
    }
    const result = insert(descriptor, {
      ...object,
      metadata: { ...object.metadata, namespace: target.namespace },
    });
    return "code" in result ? fail(result as status.StatusBody) : json(result, 201);
  }

  function remove(target: Target & { name: string }): Response {
    const removed = store.delete(target.descriptor, target.namespace, target.name);
    if (!removed) return fail(status.notFound(target.descriptor.plural, target.name));
    // Pods answer with the deleted object (unbound pods go at once, there is no kubelet here);
    // the other served kinds with a Success Status, as their registries do.
    return target.descriptor === Pod
      ? json(removed)
      : json(status.deleted(target.descriptor.plural, target.name, removed.metadata?.uid));
  }

  function nonResource(path: string, url: URL): Response | undefined {
    switch (path) {
      case "/version":
        return json({
          major: "1",
          minor: "28",
          gitVersion: "v1.28.4",
          gitCommit: "bae2c62678db2b5053817bc97181fcc2e8388103",
          gitTreeState: "clean",
          buildDate: "2023-11-15T16:48:54Z",
          goVersion: "go1.20.11",
          compiler: "gc",
          platform: "linux/amd64",
        });
      case "/healthz":
      case "/livez":
      case "/readyz":
        return new Response("ok", { headers: { "content-type": "text/plain; charset=utf-8" } });
      case "/api":
        return json({
          kind: "APIVersions",
          versions: ["v1"],
          serverAddressByClientCIDRs: [
            { clientCIDR: "0.0.0.0/0", serverAddress: options.serverAddress ?? url.host },
          ],
        });
      case "/apis":
        return json({ kind: "APIGroupList", apiVersion: "v1", groups: [] });
      case "/api/v1":
        return json({
          kind: "APIResourceList",
          groupVersion: "v1",
          resources: served.map(({ descriptor, shortNames }) => ({
            name: descriptor.plural,
            singularName: descriptor.kind.toLowerCase(),
            namespaced: descriptor.namespaced,
            kind: descriptor.kind,
            verbs: ["create", "delete", "get", "list"],
            shortNames,
          })),
        });
      default:
        return undefined;
    }
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    const authorization = request.headers.get("authorization");
    let user: string | undefined;
    if (authorization !== null) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (token === undefined || !tokens.has(token)) return fail(status.unauthorized());
      user = "kin-mock-user";
    }
    const target = parseTarget(path);
    if (!target) {
      if (request.method === "GET" && user === undefined && !PUBLIC_PATHS.has(url.pathname)) {
        return fail(
          status.forbidden(`forbidden: User "system:anonymous" cannot get path "${url.pathname}"`),
        );
      }
      const answer = request.method === "GET" ? nonResource(path, url) : undefined;
      if (answer) return answer;
      return path.startsWith("/api/")
        ? fail(status.noSuchResource())
        : new Response("404 page not found\n", {
            status: 404,
            headers: { "content-type": "text/plain; charset=utf-8" },
          });
    }
    const verb = verbOf(request.method, target);
    if (!verb) return fail(status.methodNotAllowed());
    if (user === undefined)
      return fail(status.forbidden(forbiddenMessage("system:anonymous", verb, target)));
    switch (verb) {
      case "list":
        return list(target, url);
      case "create":
        return create(target, request);
      case "get": {
        const object = store.get(target.descriptor, target.namespace, target.name as string);
        return object
          ? json(object)
          : fail(status.notFound(target.descriptor.plural, target.name as string));
      }
      case "delete":
        return remove({ ...target, name: target.name as string });
    }
  }

  return {
    handle,
    issueToken() {
      const token = randomBytes(24).toString("base64url");
      tokens.add(token);
      return token;
    },
    revokeToken(token) {
      tokens.delete(token);
    },
    add(object) {
      const descriptor = served.find((entry) => entry.descriptor.kind === object.kind)?.descriptor;
      if (!descriptor)
        throw new Error(`kind ${JSON.stringify(object.kind)} is not served by the mock server`);
      const result = insert(descriptor, object);
      if ("code" in result) throw new Error((result as status.StatusBody).message);
      return result as typeof object;
    },
  };
}
