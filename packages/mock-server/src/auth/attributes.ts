// The authorizer's view of a request: authorizer.Attributes, as RequestInfoFactory.NewRequestInfo
// derives them (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go). Works on the path alone, before
// the request is routed: an unknown resource is still a resource request and is authorized first.
import type { UserInfo } from "./identity.js";

export interface Attributes {
  readonly user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection; for paths the lower-case method. */
  readonly verb: string;
  readonly resourceRequest: boolean;
  /** The request path, as sent (non-resource rules match it). */
  readonly path: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  /** "" at the cluster scope. */
  readonly namespace: string;
  readonly resource: string;
  readonly subresource: string;
  /** "" for collections (list, watch, create, deletecollection), unless a `metadata.name` field selector names one. */
  readonly name: string;
}

/** requestinfo.go: `namespaceSubresources`, `/namespaces/{ns}/status` is the namespace's own subresource. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

/** `metadata.name=x` (or `==`) of a field selector: `fields.Selector.RequiresExactMatch("metadata.name")`. */
function exactName(selector: string | null): string | undefined {
  if (!selector) return undefined;
  for (const term of selector.split(",")) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    if (m) return m[1];
  }
  return undefined;
}

/** `path.IsValidPathSegmentName`: no `.`/`..`, no `/` or `%`. */
const validSegment = (name: string) => name !== "." && name !== ".." && !/[/%]/.test(name);

/** The attributes of `method url` for `user` (requestinfo.go NewRequestInfo). */
export function requestAttributes(user: UserInfo, method: string, url: URL): Attributes {
  const path = url.pathname;
  const nonResource: Attributes = {
    user,
    verb: method.toLowerCase(),
    resourceRequest: false,
    path,
    apiGroup: "",
    apiVersion: "",
    namespace: "",
    resource: "",
    subresource: "",
    name: "",
  };
  let parts = path
    .replace(/^\/+|\/+$/g, "")
    .split("/")
    .filter(Boolean);
  try {
    parts = parts.map(decodeURIComponent);
  } catch {
    return nonResource;
  }
  // "/api/v1/..." and "/apis/group/version/..."; anything shorter is a path, not a resource.
  if (parts.length < 3 || (parts[0] !== "api" && parts[0] !== "apis")) return nonResource;
  let rest = parts.slice(1);
  let apiGroup = "";
  if (parts[0] === "apis") {
    if (rest.length < 3) return nonResource;
    apiGroup = rest[0] as string;
    rest = rest.slice(1);
  }
  const apiVersion = rest[0] as string;
  rest = rest.slice(1);
  let verb: string;
  if (rest[0] === "watch" || rest[0] === "proxy") {
    // specialVerbs: the legacy /watch/ and /proxy/ prefixes.
    verb = rest[0];
    rest = rest.slice(1);
  } else {
    verb =
      { GET: "get", HEAD: "get", POST: "create", PUT: "update", PATCH: "patch", DELETE: "delete" }[
        method
      ] ?? "";
  }
  let namespace = "";
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1] as string;
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] as string)) rest = rest.slice(2);
  }
  const resource = rest[0] ?? "";
  let name = rest[1] ?? "";
  // specialVerbsNoSubresources: proxy paths carry more segments that are not a subresource.
  const subresource = rest.length >= 3 && verb !== "proxy" ? (rest[2] as string) : "";
  if (name === "" && verb === "get") {
    const q = url.searchParams;
    verb = ["true", "1"].includes(q.get("watch") ?? "") ? "watch" : "list";
    // A list or watch of one object by `metadata.name` is authorized for that name, so rules with
    // resourceNames can allow it (requestinfo.go, since 1.12).
    const selected = exactName(q.get("fieldSelector"));
    if (selected !== undefined && selected !== "" && validSegment(selected)) name = selected;
  }
  if (name === "" && verb === "delete") verb = "deletecollection";
  return {
    user,
    verb,
    resourceRequest: true,
    path,
    apiGroup,
    apiVersion,
    namespace,
    resource,
    subresource,
    name,
  };
}
