// Name rules of k8s.io/apimachinery/pkg/util/validation (IsDNS1123Subdomain, IsDNS1123Label,
// IsDNS1035Label) and of k8s.io/apimachinery/pkg/api/validation/path (IsValidPathSegmentName), with
// the API server's own messages, so a rejected name reads the same as the server would say; and
// which of them kube-apiserver v1.28 applies to the names of each kind.
import { ResourcesError } from "./errors.js";

// Plain literals only at the top level (no template literals, no constructor calls), so a bundler
// drops all of this when an app imports only a descriptor from the built package.
const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const labelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const subdomainPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const LABEL_MAX = 63;
const SUBDOMAIN_MAX = 253;

/** Problems with `value` as a DNS-1123 label (namespaces and most names of one segment); empty when valid. */
export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > LABEL_MAX) errors.push(`must be no more than ${LABEL_MAX} characters`);
  if (!labelPattern.test(value)) {
    errors.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '" +
        `${DNS1123_LABEL}')`,
    );
  }
  return errors;
}

/** Problems with `value` as a DNS-1123 subdomain (object names); empty when valid. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > SUBDOMAIN_MAX) errors.push(`must be no more than ${SUBDOMAIN_MAX} characters`);
  if (!subdomainPattern.test(value)) {
    errors.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" +
        `${DNS1123_SUBDOMAIN}')`,
    );
  }
  return errors;
}

const DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?";
const dns1035Pattern = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Problems with `value` as a DNS-1035 label (Service names, CRD versions and plurals); empty when valid. */
export function dns1035LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > LABEL_MAX) errors.push(`must be no more than ${LABEL_MAX} characters`);
  if (!dns1035Pattern.test(value)) {
    errors.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '" +
        `${DNS1035_LABEL}')`,
    );
  }
  return errors;
}

/**
 * Problems with `name` as the name of an object in a URL (`path.IsValidPathSegmentName`, which
 * kube-apiserver applies to every name it reads from a path): not `.` or `..`, no `/` or `%`.
 * Also not empty: an empty name would address the collection. Empty when valid.
 */
export function pathSegmentNameErrors(name: string): string[] {
  if (name === "") return ["may not be empty"];
  if (name === "." || name === "..") return [`may not be '${name}'`];
  const errors: string[] = [];
  if (name.includes("/")) errors.push("may not contain '/'");
  if (name.includes("%")) errors.push("may not contain '%'");
  return errors;
}

// The name rule of each built-in kind whose create validation (`ValidateObjectMeta`'s name function,
// pkg/apis/<group>/validation in kube-apiserver v1.28) is not NameIsDNSSubdomain, keyed `group/Kind`.
// `pathSegment` also stands for rules the client cannot check alone (a ClusterTrustBundle's name
// depends on its signer, an APIService's must be `version.group`, an IPAddress's a canonical IP):
// the client refuses only what can never be valid, and the server says the rest.
const NAME_RULES: Readonly<Record<string, "label" | "dns1035" | "pathSegment">> = {
  "/Namespace": "label",
  "/Service": "dns1035",
  "apps/StatefulSet": "label",
  "networking.k8s.io/ClusterCIDR": "label",
  // core/v1 Events get only legacy validation (no name rule); events.k8s.io/v1 ones a subdomain.
  "/Event": "pathSegment",
  "rbac.authorization.k8s.io/Role": "pathSegment",
  "rbac.authorization.k8s.io/ClusterRole": "pathSegment",
  "rbac.authorization.k8s.io/RoleBinding": "pathSegment",
  "rbac.authorization.k8s.io/ClusterRoleBinding": "pathSegment",
  "certificates.k8s.io/CertificateSigningRequest": "pathSegment",
  "certificates.k8s.io/ClusterTrustBundle": "pathSegment",
  "networking.k8s.io/IPAddress": "pathSegment",
  "apiregistration.k8s.io/APIService": "pathSegment",
  // Reviews are never stored: their metadata is not validated as a name.
  "authentication.k8s.io/TokenReview": "pathSegment",
  "authentication.k8s.io/SelfSubjectReview": "pathSegment",
  "authorization.k8s.io/SubjectAccessReview": "pathSegment",
  "authorization.k8s.io/SelfSubjectAccessReview": "pathSegment",
  "authorization.k8s.io/LocalSubjectAccessReview": "pathSegment",
  "authorization.k8s.io/SelfSubjectRulesReview": "pathSegment",
};

/**
 * Problems with `name` as the name of a new object of `kind`, as kube-apiserver v1.28 checks it:
 * a DNS-1123 label for Namespaces, StatefulSets and ClusterCIDRs, a DNS-1035 label for Services, a
 * path segment for RBAC kinds (`system:node`), CertificateSigningRequests and core/v1 Events, and
 * a DNS-1123 subdomain for every other kind, custom resources included. Empty when valid.
 */
export function objectNameErrors(kind: { group: string; kind: string }, name: string): string[] {
  switch (NAME_RULES[`${kind.group}/${kind.kind}`]) {
    case "label":
      return dns1123LabelErrors(name);
    case "dns1035":
      return dns1035LabelErrors(name);
    case "pathSegment":
      return pathSegmentNameErrors(name);
    default:
      return dns1123SubdomainErrors(name);
  }
}

const QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const qualifiedNamePattern = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME_MAX = 63;
const LABEL_VALUE_MAX = 63;
const QUALIFIED_NAME_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/**
 * Problems with `value` as a qualified name (label and annotation keys, finalizers): a name of at most
 * 63 characters with an optional DNS-subdomain prefix and `/` (`example.com/MyName`); empty when valid.
 * The messages are IsQualifiedName's.
 */
export function qualifiedNameErrors(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = value;
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    name = parts[1] ?? "";
    if (prefix.length === 0) errors.push("prefix part must be non-empty");
    else errors.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${QUALIFIED_NAME_MESSAGE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errors.push("name part must be non-empty");
  else if (name.length > QUALIFIED_NAME_MAX)
    errors.push(`name part must be no more than ${QUALIFIED_NAME_MAX} characters`);
  if (!qualifiedNamePattern.test(name)) errors.push(`name part ${QUALIFIED_NAME_MESSAGE}`);
  return errors;
}

/** Problems with `key` as a label key (a qualified name); empty when valid. */
export const labelKeyErrors = (key: string): string[] => qualifiedNameErrors(key);

/** Problems with `value` as a label value (empty, or at most 63 characters like a qualified name's name part); empty when valid. */
export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > LABEL_VALUE_MAX)
    errors.push(`must be no more than ${LABEL_VALUE_MAX} characters`);
  if (!labelValuePattern.test(value)) {
    errors.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '" +
        `(${QUALIFIED_NAME})?')`,
    );
  }
  return errors;
}

/** Thrown when a name or namespace is not valid; `field` says which (`metadata.name`, `metadata.namespace`). */
export class InvalidNameError extends ResourcesError {
  override readonly name = "InvalidNameError";
  constructor(
    readonly field: string,
    readonly value: string,
    readonly problems: string[],
  ) {
    super(`${field}: Invalid value: ${JSON.stringify(value)}: ${problems.join(", ")}`);
  }
}

/**
 * Throws {@link InvalidNameError} unless `name` is a valid name for a new object: of `kind` when
 * given (see {@link objectNameErrors}), else a DNS-1123 subdomain (the rule of most kinds).
 */
export function assertValidName(
  name: string,
  field = "metadata.name",
  kind?: { group: string; kind: string },
): void {
  const problems = kind ? objectNameErrors(kind, name) : dns1123SubdomainErrors(name);
  if (problems.length > 0) throw new InvalidNameError(field, name, problems);
}

/**
 * Throws {@link InvalidNameError} unless `name` can address an object in a URL (see
 * {@link pathSegmentNameErrors}): what kube-apiserver requires of a name it reads from a path.
 */
export function assertValidPathSegmentName(name: string, field = "name"): void {
  const problems = pathSegmentNameErrors(name);
  if (problems.length > 0) throw new InvalidNameError(field, name, problems);
}

/**
 * The group and version of an `apiVersion` (`apps/v1`, `v1`), checked so that both can be put in a
 * URL: the group a DNS-1123 subdomain, the version a DNS-1123 label.
 * @throws {InvalidNameError} (field `apiVersion`) for anything else, e.g. `../v1` or `apps/v1/x`.
 */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  const group = slash === -1 ? "" : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  const problems = [
    ...(slash === -1 ? [] : dns1123SubdomainErrors(group).map((m) => `group ${m}`)),
    ...dns1123LabelErrors(version).map((m) => `version ${m}`),
  ];
  if (problems.length > 0) throw new InvalidNameError("apiVersion", apiVersion, problems);
  return { group, version };
}

/** Throws {@link InvalidNameError} unless `namespace` is a valid namespace name (DNS-1123 label). */
export function assertValidNamespace(namespace: string, field = "metadata.namespace"): void {
  const problems = dns1123LabelErrors(namespace);
  if (problems.length > 0) throw new InvalidNameError(field, namespace, problems);
}

/**
 * Throws {@link InvalidNameError} for the first invalid key or value of `labels`
 * (`field` is `metadata.labels` by default; the problems are the API server's).
 */
export function assertValidLabels(
  labels: Readonly<Record<string, string>>,
  field = "metadata.labels",
): void {
  for (const [key, value] of Object.entries(labels)) {
    const keyProblems = labelKeyErrors(key);
    if (keyProblems.length > 0) throw new InvalidNameError(field, key, keyProblems);
    const valueProblems = labelValueErrors(value);
    if (valueProblems.length > 0) throw new InvalidNameError(field, value, valueProblems);
  }
}
