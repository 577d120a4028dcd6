// The self reviews: `kubectl auth whoami` (SelfSubjectReview, pkg/registry/authentication/selfsubjectreview/
// rest.go) and `kubectl auth can-i` (SelfSubjectAccessReview, pkg/registry/authorization/
// selfsubjectaccessreview/rest.go). Both are create-only and stored nowhere; the answer is 201 Created.
import { readObject } from "../http/requests.js";
import { json } from "../http/responses.js";
import * as status from "../http/status.js";
import { StatusError } from "../http/status.js";
import { timestamp } from "../registry/metadata.js";
import type { Attributes } from "./attributes.js";
import type { UserInfo } from "./identity.js";
import type { Authorizer } from "./rbac.js";

/** Whether a routed request is one of the reviews this module answers. */
export function reviewKind(
  group: string,
  plural: string,
): "SelfSubjectReview" | "SelfSubjectAccessReview" | undefined {
  if (group === "authentication.k8s.io" && plural === "selfsubjectreviews")
    return "SelfSubjectReview";
  if (group === "authorization.k8s.io" && plural === "selfsubjectaccessreviews")
    return "SelfSubjectAccessReview";
  return undefined;
}

/** `user.Info` as `authentication.k8s.io` UserInfo (uid and extra only when set). */
const userInfo = (user: UserInfo) => ({
  username: user.username,
  ...(user.uid ? { uid: user.uid } : {}),
  groups: [...user.groups],
  ...(user.extra && Object.keys(user.extra).length > 0 ? { extra: user.extra } : {}),
});

/** POST …/selfsubjectreviews: who the caller is. */
export function selfSubjectReview(apiVersion: string, user: UserInfo): Response {
  return json(
    {
      kind: "SelfSubjectReview",
      apiVersion,
      metadata: { creationTimestamp: timestamp() },
      status: { userInfo: userInfo(user) },
    },
    201,
  );
}

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

/** POST …/selfsubjectaccessreviews: whether the caller may do what `spec` says. */
export async function selfSubjectAccessReview(
  apiVersion: string,
  request: Request,
  user: UserInfo,
  authorizer: Authorizer,
): Promise<Response> {
  const body = await readObject(request);
  const spec = (body.spec ?? {}) as {
    resourceAttributes?: ResourceAttributes;
    nonResourceAttributes?: { path?: string; verb?: string };
  };
  const r = spec.resourceAttributes;
  const n = spec.nonResourceAttributes;
  // validation.go ValidateSelfSubjectAccessReviewSpec: exactly one of the two.
  if ((r === undefined) === (n === undefined)) {
    throw new StatusError(
      status.invalid({ group: "authorization.k8s.io", kind: "SelfSubjectAccessReview" }, "", [
        r === undefined
          ? {
              type: "Invalid",
              field: "spec.resourceAttributes",
              value: "null",
              detail:
                "exactly one of nonResourceAttributes or resourceAttributes must be specified",
            }
          : {
              type: "Invalid",
              field: "spec.nonResourceAttributes",
              value: n,
              detail: "cannot be specified in combination with resourceAttributes",
            },
      ]),
    );
  }
  // authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom.
  const attributes: Attributes = r
    ? {
        user,
        verb: r.verb ?? "",
        resourceRequest: true,
        path: "",
        apiGroup: r.group ?? "",
        apiVersion: r.version ?? "",
        namespace: r.namespace ?? "",
        resource: r.resource ?? "",
        subresource: r.subresource ?? "",
        name: r.name ?? "",
      }
    : {
        user,
        verb: n?.verb ?? "",
        resourceRequest: false,
        path: n?.path ?? "",
        apiGroup: "",
        apiVersion: "",
        namespace: "",
        resource: "",
        subresource: "",
        name: "",
      };
  const decision = authorizer.authorize(attributes);
  const metadata = (body.metadata as Record<string, unknown> | undefined) ?? {};
  return json(
    {
      kind: "SelfSubjectAccessReview",
      apiVersion,
      // The review is not stored: the object comes back as sent (creationTimestamp null) with a status.
      metadata: { ...metadata, creationTimestamp: null },
      spec,
      status: {
        allowed: decision.allowed,
        ...(decision.reason ? { reason: decision.reason } : {}),
      },
    },
    201,
  );
}
