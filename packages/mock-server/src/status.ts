// Status objects with the API server's own wording (k8s.io/apimachinery/pkg/api/errors).

export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: Record<string, unknown>;
  code: number;
}

function failure(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): StatusBody {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export const notFound = (resource: string, name: string) =>
  failure(404, "NotFound", `${resource} "${name}" not found`, { name, kind: resource });

export const alreadyExists = (resource: string, name: string) =>
  failure(409, "AlreadyExists", `${resource} "${name}" already exists`, { name, kind: resource });

export const unauthorized = () => failure(401, "Unauthorized", "Unauthorized");

export const forbidden = (message: string) => failure(403, "Forbidden", message, {});

export const noSuchResource = () =>
  failure(404, "NotFound", "the server could not find the requested resource", {});

export const methodNotAllowed = () =>
  failure(
    405,
    "MethodNotAllowed",
    "the server does not allow this method on the requested resource",
    {},
  );

export const badRequest = (message: string) => failure(400, "BadRequest", message);

/** One field problem of a 422 Invalid answer (`field.Error`). */
export type FieldCause =
  | { type: "Invalid"; field: string; value: string; detail: string }
  | { type: "Required"; field: string; detail?: string };

function causeMessage(cause: FieldCause): string {
  if (cause.type === "Invalid")
    return `Invalid value: ${JSON.stringify(cause.value)}: ${cause.detail}`;
  return cause.detail ? `Required value: ${cause.detail}` : "Required value";
}

/** 422 Invalid, one cause per field, as `errors.NewInvalid` builds it. */
export const invalid = (kind: string, name: string, causes: FieldCause[]) =>
  failure(
    422,
    "Invalid",
    `${kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${causeMessage(c)}`).join(", ")}`,
    {
      name,
      kind,
      causes: causes.map((c) => ({
        reason: `FieldValue${c.type}`,
        message: causeMessage(c),
        field: c.field,
      })),
    },
  );

export const deleted = (resource: string, name: string, uid: string | undefined): StatusBody => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Success",
  details: { name, kind: resource, uid },
  code: 200,
});
