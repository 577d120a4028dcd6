// Authorization: the privileged-group authorizer, then RBAC over the Roles, ClusterRoles, RoleBindings and
// ClusterRoleBindings in the store (k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/rbac.go, rule
// resolution pkg/registry/rbac/validation/rule.go, matching pkg/apis/rbac/v1/evaluation_helpers.go), and
// the 403 the API server writes (apiserver/pkg/endpoints/handlers/responsewriters/errors.go).
import type { KubeObject } from "@kin/resources";
import { failure, type StatusBody } from "../http/status.js";
import { metaOf } from "../registry/metadata.js";
import type { Attributes } from "./attributes.js";
import { ANONYMOUS, AUTHENTICATED, MASTERS, UNAUTHENTICATED, type UserInfo } from "./identity.js";

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

interface Binding extends KubeObject {
  subjects?: Subject[];
  roleRef?: { kind?: string; name?: string };
}

/** The answer of an authorizer: allowed or not, and why (the RBAC reason, "" when there is none). */
export interface Decision {
  allowed: boolean;
  reason: string;
}

/** What RBAC reads from the store (rbac.authorization.k8s.io/v1). */
export interface RbacObjects {
  get(
    kind: "Role" | "ClusterRole",
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  list(kind: "RoleBinding" | "ClusterRoleBinding", namespace?: string): KubeObject[];
}

/** Paths everyone may read: the bootstrap ClusterRole `system:public-info-viewer` (bootstrappolicy/policy.go). */
export const PUBLIC_INFO_PATHS = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

/**
 * The bootstrap cluster roles the authorizer knows without them being stored (plugin/pkg/auth/authorizer/
 * rbac/bootstrappolicy/policy.go). A stored ClusterRole of the same name takes precedence.
 */
export const BOOTSTRAP_CLUSTER_ROLES: Readonly<Record<string, PolicyRule[]>> = {
  "cluster-admin": [
    { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
    { nonResourceURLs: ["*"], verbs: ["*"] },
  ],
  "system:public-info-viewer": [{ nonResourceURLs: PUBLIC_INFO_PATHS, verbs: ["get"] }],
  "system:discovery": [
    {
      nonResourceURLs: [
        "/api",
        "/api/*",
        "/apis",
        "/apis/*",
        "/healthz",
        "/livez",
        "/openapi",
        "/openapi/*",
        "/readyz",
        "/version",
        "/version/",
      ],
      verbs: ["get"],
    },
  ],
  "system:basic-user": [
    {
      apiGroups: ["authorization.k8s.io"],
      resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
      verbs: ["create"],
    },
    { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
  ],
};

/** The bootstrap ClusterRoleBindings of those roles (same names as the roles). */
const BOOTSTRAP_BINDINGS: { name: string; groups: string[] }[] = [
  { name: "system:public-info-viewer", groups: [AUTHENTICATED, UNAUTHENTICATED] },
  { name: "system:discovery", groups: [AUTHENTICATED] },
  { name: "system:basic-user", groups: [AUTHENTICATED] },
];

// evaluation_helpers.go
const verbMatches = (rule: PolicyRule, verb: string) =>
  (rule.verbs ?? []).some((v) => v === "*" || v === verb);
const apiGroupMatches = (rule: PolicyRule, group: string) =>
  (rule.apiGroups ?? []).some((g) => g === "*" || g === group);
/** `*`, `pods`, `pods/log`, and `*\/log` for a subresource of any resource. */
function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return (rule.resources ?? []).some(
    (r) =>
      r === "*" ||
      r === combined ||
      (subresource !== "" && r.length === subresource.length + 2 && r === `*/${subresource}`),
  );
}
/** An empty list allows every name; otherwise only those names — so never a collection (list without a
 * name, create, deletecollection): a request with no name does not match a rule with resourceNames. */
const resourceNameMatches = (rule: PolicyRule, name: string) =>
  (rule.resourceNames ?? []).length === 0 || (rule.resourceNames ?? []).includes(name);
/** `*`, an exact path, or a prefix ending in `*`. */
const nonResourceURLMatches = (rule: PolicyRule, path: string) =>
  (rule.nonResourceURLs ?? []).some(
    (u) => u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.slice(0, -1))),
  );

/** rbac.go RuleAllows. */
export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (a.resourceRequest) {
    const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    return (
      verbMatches(rule, a.verb) &&
      apiGroupMatches(rule, a.apiGroup) &&
      resourceMatches(rule, combined, a.subresource) &&
      resourceNameMatches(rule, a.name)
    );
  }
  return verbMatches(rule, a.verb) && nonResourceURLMatches(rule, a.path);
}

/** rule.go appliesToUser: a ServiceAccount subject without a namespace takes the binding's. */
function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case "User":
      return subject.name === user.username;
    case "Group":
      return user.groups.includes(subject.name ?? "");
    case "ServiceAccount": {
      const ns = subject.namespace || bindingNamespace;
      return ns !== "" && `system:serviceaccount:${ns}:${subject.name}` === user.username;
    }
    default:
      return false;
  }
}

/** rule.go describeSubject. */
function describe(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === "ServiceAccount")
    return `ServiceAccount "${subject.namespace || bindingNamespace}/${subject.name}"`;
  return `${subject.kind} "${subject.name}"`;
}

/**
 * Decides requests. `rbac: false` is AlwaysAllow for authenticated users (anonymous: the public paths
 * only). `rbac: true` is `--authorization-mode=RBAC`: `system:masters` first, then the bindings.
 */
export class Authorizer {
  constructor(
    readonly rbac: boolean,
    readonly objects: RbacObjects,
  ) {}

  authorize(a: Attributes): Decision {
    if (!this.rbac) {
      if (a.user.username !== ANONYMOUS.username) return { allowed: true, reason: "" };
      return {
        allowed: !a.resourceRequest && a.verb === "get" && PUBLIC_INFO_PATHS.includes(a.path),
        reason: "",
      };
    }
    if (a.user.groups.includes(MASTERS)) return { allowed: true, reason: "" };
    return this.#rbac(a);
  }

  /** rbac.go Authorize: visit the rules of every binding that applies; the first match allows. */
  #rbac(a: Attributes): Decision {
    const errors: string[] = [];
    const rulesOf = (kind: string, namespace: string, name: string): PolicyRule[] | undefined => {
      if (kind === "ClusterRole") {
        const role = this.objects.get("ClusterRole", undefined, name);
        if (role) return ((role as { rules?: PolicyRule[] }).rules ?? []) as PolicyRule[];
        const bootstrap = BOOTSTRAP_CLUSTER_ROLES[name];
        if (bootstrap) return bootstrap;
        errors.push(`clusterrole.rbac.authorization.k8s.io "${name}" not found`);
        return undefined;
      }
      if (kind === "Role") {
        const role = this.objects.get("Role", namespace, name);
        if (role) return ((role as { rules?: PolicyRule[] }).rules ?? []) as PolicyRule[];
        errors.push(`role.rbac.authorization.k8s.io "${name}" not found`);
      }
      return undefined;
    };
    const tryBinding = (binding: Binding, namespace: string, label: string): string | undefined => {
      const subject = (binding.subjects ?? []).find((s) => appliesTo(a.user, s, namespace));
      if (!subject) return undefined;
      const kind = binding.roleRef?.kind ?? "";
      const roleName = binding.roleRef?.name ?? "";
      // A RoleBinding may refer to a ClusterRole: its rules apply in the binding's namespace only.
      const rules = rulesOf(namespace === "" ? "ClusterRole" : kind, namespace, roleName);
      if (!rules?.some((rule) => ruleAllows(a, rule))) return undefined;
      return `RBAC: allowed by ${label} of ${kind} "${roleName}" to ${describe(subject, namespace)}`;
    };
    for (const b of BOOTSTRAP_BINDINGS) {
      const binding: Binding = {
        subjects: b.groups.map((name) => ({ kind: "Group", name })),
        roleRef: { kind: "ClusterRole", name: b.name },
      };
      const reason = tryBinding(binding, "", `ClusterRoleBinding "${b.name}"`);
      if (reason) return { allowed: true, reason };
    }
    for (const object of this.objects.list("ClusterRoleBinding")) {
      const name = metaOf(object).name ?? "";
      const reason = tryBinding(object as Binding, "", `ClusterRoleBinding "${name}"`);
      if (reason) return { allowed: true, reason };
    }
    if (a.namespace !== "") {
      for (const object of this.objects.list("RoleBinding", a.namespace)) {
        const name = metaOf(object).name ?? "";
        const reason = tryBinding(
          object as Binding,
          a.namespace,
          `RoleBinding "${name}/${a.namespace}"`,
        );
        if (reason) return { allowed: true, reason };
      }
    }
    // rbac.go: the denial's reason lists the errors met resolving rules (missing roles).
    return {
      allowed: false,
      reason: errors.length === 0 ? "" : `RBAC: ${aggregate(errors)}`,
    };
  }
}

/** utilerrors.NewAggregate(...).Error(): one error as is, several bracketed. */
const aggregate = (errors: string[]) =>
  errors.length === 1 ? (errors[0] as string) : `[${errors.join(", ")}]`;

/**
 * responsewriters.Forbidden (1.28): `errors.NewForbidden(gr, name, err)` where err is forbiddenMessage,
 * with the authorizer's reason after `: ` when there is one.
 */
export function forbiddenStatus(a: Attributes, reason: string): StatusBody {
  const user = a.user.username;
  let why: string;
  if (!a.resourceRequest) why = `User "${user}" cannot ${a.verb} path "${a.path}"`;
  else {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
    why = `User "${user}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`;
  }
  if (reason) why = `${why}: ${reason}`;
  // errors.NewForbidden: no resource → "forbidden: …"; no name → "pods is forbidden: …".
  if (!a.resourceRequest || a.resource === "")
    return failure(403, "Forbidden", `forbidden: ${why}`, {});
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  return failure(403, "Forbidden", `${subject} is forbidden: ${why}`, {
    ...(a.name ? { name: a.name } : {}),
    ...(a.apiGroup ? { group: a.apiGroup } : {}),
    kind: a.resource,
  });
}
