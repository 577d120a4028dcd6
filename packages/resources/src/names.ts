// Name rules of k8s.io/apimachinery/pkg/util/validation (IsDNS1123Subdomain, IsDNS1123Label),
// with the API server's own messages, so a rejected name reads the same as the server would say.

const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const labelPattern = new RegExp(`^${DNS1123_LABEL}$`);
const subdomainPattern = new RegExp(`^${DNS1123_SUBDOMAIN}$`);

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

/** Thrown when a name or namespace is not valid; `field` says which (`metadata.name`, `metadata.namespace`). */
export class InvalidNameError extends Error {
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
