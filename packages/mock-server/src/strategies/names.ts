// The name a kind's `ValidateObjectMeta` accepts (pkg/apis/<group>/validation, v1.28): DNS-1123 labels
// for namespaces, DNS-1035 labels for services, path segments for RBAC objects and events, DNS-1123
// subdomains for the rest.
import { dns1123LabelErrors, dns1123SubdomainErrors } from "@kin/resources";
import type { Served } from "../discovery/catalogue.js";

/** `apimachinery/pkg/api/validation/path.IsValidPathSegmentName`: names RBAC objects may take. */
function pathSegmentErrors(name: string): string[] {
  if (name === "." || name === "..") return [`may not be '${name}'`];
  const errors: string[] = [];
  for (const bad of ["/", "%"]) if (name.includes(bad)) errors.push(`may not contain '${bad}'`);
  return errors;
}

/** `validation.IsDNS1035Label`: Service names. */
function dns1035LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push("must be no more than 63 characters");
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value))
    errors.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
  return errors;
}

const PATH_SEGMENT_KINDS = new Set([
  "rbac.authorization.k8s.io/Role",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/RoleBinding",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "/Event",
  "events.k8s.io/Event",
]);

/** The name validation a kind's `ValidateObjectMeta` call uses. */
export function nameErrors(served: Served, name: string): string[] {
  const { group, kind } = served.descriptor;
  if (group === "" && kind === "Namespace") return dns1123LabelErrors(name);
  if (group === "" && kind === "Service") return dns1035LabelErrors(name);
  if (PATH_SEGMENT_KINDS.has(`${group}/${kind}`)) return pathSegmentErrors(name);
  return dns1123SubdomainErrors(name);
}
