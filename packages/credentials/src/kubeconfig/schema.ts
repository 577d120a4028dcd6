// The type of every kubeconfig field kin reads (clientcmd/api/v1). client-go refuses a file whose
// fields have the wrong type (a JSON decode error); so does kin, naming the file and the field, where
// it would otherwise drop the field (a `certificate-authority: 5` trusting the system roots) or fail
// later with a TypeError. A value of the wrong type is never shown: it may be a secret.

/** Reports a problem with `field` (a path like `users[dev].user.token`); returns the error to throw. */
export type FieldProblem = (field: string, problem: string) => Error;

type Check = (value: unknown, field: string, problem: FieldProblem) => unknown;

/** A YAML/JSON mapping (not a list, not null). */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const string: Check = (value, field, problem) => {
  if (typeof value !== "string") throw problem(field, "must be a string");
  return value;
};

const boolean: Check = (value, field, problem) => {
  if (typeof value !== "boolean") throw problem(field, "must be true or false");
  return value;
};

const oneOf =
  (...allowed: string[]): Check =>
  (value, field, problem) => {
    if (typeof value !== "string" || !allowed.includes(value))
      throw problem(field, `must be one of ${allowed.join(", ")}`);
    return value;
  };

const listOf =
  (item: Check): Check =>
  (value, field, problem) => {
    if (!Array.isArray(value)) throw problem(field, "must be a list");
    return value.map((entry, index) => item(entry, `${field}[${index}]`, problem));
  };

/** A mapping with the given fields; `null` fields count as absent (as in Go), other fields are kept as they are. */
const mapping =
  (fields: Record<string, Check>, required: readonly string[] = []): Check =>
  (value, field, problem) => {
    if (!isObject(value)) throw problem(field, "must be a mapping");
    const result: Record<string, unknown> = { ...value };
    for (const [name, check] of Object.entries(fields)) {
      const at = `${field}.${name}`;
      if (value[name] === undefined || value[name] === null) {
        delete result[name];
        if (required.includes(name)) throw problem(at, "is required");
      } else {
        result[name] = check(value[name], at, problem);
      }
    }
    return result;
  };

const anything: Check = (value) => value;

const extensions = listOf(mapping({ name: string, extension: anything }, ["name"]));

const execFields = mapping({
  apiVersion: string,
  command: string,
  args: listOf(string),
  env: listOf(mapping({ name: string, value: string }, ["name", "value"])),
  installHint: string,
  provideClusterInfo: boolean,
  interactiveMode: oneOf("Never", "IfAvailable", "Always"),
});

const cluster = mapping({
  server: string,
  "certificate-authority": string,
  "certificate-authority-data": string,
  "insecure-skip-tls-verify": boolean,
  "tls-server-name": string,
  "proxy-url": string,
  "disable-compression": boolean,
  extensions,
});

const user = mapping({
  token: string,
  tokenFile: string,
  "client-certificate": string,
  "client-certificate-data": string,
  "client-key": string,
  "client-key-data": string,
  username: string,
  password: string,
  exec: execFields,
  "auth-provider": anything,
  as: string,
  "as-uid": string,
  "as-groups": listOf(string),
  "as-user-extra": anything,
  extensions,
});

const context = mapping({ cluster: string, user: string, namespace: string, extensions });

/** Checks the fields of one `clusters[].cluster`, `users[].user` or `contexts[].context`. */
export const checkEntry: Record<"cluster" | "user" | "context", Check> = { cluster, user, context };

/** Checks an exec plugin's config (a kubeconfig's `users[].user.exec`, or {@link execProvider}'s). */
export const checkExecFields = (value: unknown, field: string, problem: FieldProblem) =>
  execFields(value, field, problem);
