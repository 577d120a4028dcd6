// The server's authentication and authorization step, as the filter chain runs it before routing:
// WithAuthentication (bearer token → user, 401 on failure; none → system:anonymous) then WithAuthorization
// (attributes → decision, 403 on denial). apiserver/pkg/endpoints/filters/{authentication,authorization}.go.
import type { KubeObject } from "@kin/resources";
import { fail } from "../http/responses.js";
import * as status from "../http/status.js";
import type { ObjectStore } from "../registry/store.js";
import { requestAttributes } from "./attributes.js";
import { ANONYMOUS, type UserInfo } from "./identity.js";
import { Authorizer, forbiddenStatus, type RbacObjects } from "./rbac.js";
import { reviewKind, selfSubjectAccessReview, selfSubjectReview } from "./reviews.js";
import { type ObjectLookup, TokenAuthority, type TokenAuthorityOptions } from "./tokens.js";

export interface AuthOptions extends TokenAuthorityOptions {
  /** `--authorization-mode=RBAC`. Default false: every authenticated user may do anything. */
  rbac?: boolean;
}

export class Auth {
  readonly tokens: TokenAuthority;
  readonly authorizer: Authorizer;

  constructor(objects: ObjectLookup & RbacObjects, options: AuthOptions = {}) {
    this.tokens = new TokenAuthority(objects, options);
    this.authorizer = new Authorizer(options.rbac ?? false, objects);
  }

  /**
   * The user of `request`, or the 401 answer. A missing Authorization header is anonymous; a header that
   * is not a usable bearer token, or a token no authenticator accepts, is 401 (the body says only
   * "Unauthorized", as the real one: the cause is logged, never sent).
   */
  authenticate(request: Request): UserInfo | Response {
    const authorization = request.headers.get("authorization");
    if (authorization === null) return ANONYMOUS;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    const user = token === undefined ? undefined : this.tokens.authenticate(token);
    return user ?? fail(status.unauthorized());
  }

  /** `undefined` when `user` may send `request`; the 403 answer otherwise. */
  authorize(user: UserInfo, request: Request, url: URL): Response | undefined {
    const attributes = requestAttributes(user, request.method, url);
    const decision = this.authorizer.authorize(attributes);
    return decision.allowed ? undefined : fail(forbiddenStatus(attributes, decision.reason));
  }

  /**
   * The answer to a create of SelfSubjectReview or SelfSubjectAccessReview (`group`, `apiVersion`,
   * `plural` of the routed resource); `undefined` for any other request.
   */
  review(
    verb: string,
    resource: { group: string; apiVersion: string; plural: string },
    request: Request,
    user: UserInfo,
  ): Promise<Response> | undefined {
    const kind = reviewKind(resource.group, resource.plural);
    if (kind === undefined || verb !== "create") return undefined;
    if (kind === "SelfSubjectReview")
      return Promise.resolve(selfSubjectReview(resource.apiVersion, user));
    return selfSubjectAccessReview(resource.apiVersion, request, user, this.authorizer);
  }
}

/** The objects authentication and RBAC read, from the server's store (`add` creates a ServiceAccount). */
export function storeObjects(
  store: ObjectStore,
  add: (object: KubeObject) => KubeObject,
): ObjectLookup & RbacObjects {
  const RBAC = "rbac.authorization.k8s.io/v1";
  const keys = {
    Role: `${RBAC}/roles`,
    ClusterRole: `${RBAC}/clusterroles`,
    RoleBinding: `${RBAC}/rolebindings`,
    ClusterRoleBinding: `${RBAC}/clusterrolebindings`,
  };
  return {
    serviceAccount: (namespace, name) => store.get("/v1/serviceaccounts", namespace, name),
    pod: (namespace, name) => store.get("/v1/pods", namespace, name),
    createServiceAccount: (namespace, name) =>
      add({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } }),
    get: (kind, namespace, name) => store.get(keys[kind], namespace, name),
    list: (kind, namespace) => store.list(keys[kind], namespace).map((e) => e.object),
  };
}
