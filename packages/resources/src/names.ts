// Name rules of k8s.io/apimachinery/pkg/util/validation (IsDNS1123Subdomain, IsDNS1123Label),
// with the API server's own messages, so a rejected name reads the same as the server would say.
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

/** Throws {@link InvalidNameError} unless `name` is a valid object name (DNS-1123 subdomain). */
export function assertValidName(name: string, field = "metadata.name"): void {
  const problems = dns1123SubdomainErrors(name);
  if (problems.length > 0) throw new InvalidNameError(field, name, problems);
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
