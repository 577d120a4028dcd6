// Request paths → what they name: /api/v1[/watch][/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
// and the same under /apis/{group}/{version} (apiserver/pkg/endpoints/request/requestinfo.go).
import type { Catalogue, Served } from "../discovery/catalogue.js";

export type Verb =
  | "get"
  | "list"
  | "watch"
  | "create"
  | "update"
  | "patch"
  | "delete"
  | "deletecollection";

export interface Target {
  served: Served;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  /** The legacy `/watch/` path prefix was used. */
  watchPath: boolean;
}

export type Route =
  | { kind: "resource"; target: Target }
  /** A served group/version, but no such resource there. */
  | { kind: "unknownResource" }
  /** Not an API path the catalogue knows. */
  | { kind: "none" };

export function route(catalogue: Catalogue, path: string): Route {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 2) {
    group = "";
    version = parts[1] as string;
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 3) {
    group = parts[1] as string;
    version = parts[2] as string;
    rest = parts.slice(3);
  } else return { kind: "none" };
  if (rest.length === 0 || !catalogue.hasGroupVersion(group, version)) return { kind: "none" };
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    // /namespaces/{ns}/{resource}...: unless it is a namespace's own subresource (status, finalize).
    const served = catalogue.get(group, version, rest[2] as string);
    if (served?.descriptor.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const [plural = "", name, subresource, ...more] = rest;
  const served = catalogue.get(group, version, plural);
  if (!served || more.length > 0) return { kind: "unknownResource" };
  if (subresource !== undefined && !served.descriptor.subresources?.[subresource])
    return { kind: "unknownResource" };
  return { kind: "resource", target: { served, namespace, name, subresource, watchPath } };
}

/** The verb of a request (requestinfo.go): `undefined` for a method the path does not take. */
export function verbOf(method: string, target: Target, query: URLSearchParams): Verb | undefined {
  const named = target.name !== undefined;
  switch (method) {
    case "GET":
    case "HEAD": {
      const watch = target.watchPath || ["true", "1"].includes(query.get("watch") ?? "");
      if (watch) return "watch";
      return named ? "get" : "list";
    }
    case "POST":
      return named ? (target.subresource ? "create" : undefined) : "create";
    case "PUT":
      return named ? "update" : undefined;
    case "PATCH":
      return named ? "patch" : undefined;
    case "DELETE":
      return named ? "delete" : "deletecollection";
    default:
      return undefined;
  }
}
