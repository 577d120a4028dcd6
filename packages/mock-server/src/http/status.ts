// Status objects with the API server's own wording (k8s.io/apimachinery/pkg/api/errors/errors.go).

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

/** A group and resource, as `schema.GroupResource` (`pods`, `deployments.apps`). */
export interface GroupResource {
  group: string;
  resource: string;
}

/** `GroupResource.String()`: `pods`, `deployments.apps`. */
export const qualified = ({ group, resource }: GroupResource) =>
  group === "" ? resource : `${resource}.${group}`;

/** `StatusDetails` as the errors package fills it: `group` only when not the core group. */
const detailsOf = (gr: GroupResource, name: string, extra: Record<string, unknown> = {}) => ({
  name,
  ...(gr.group === "" ? {} : { group: gr.group }),
  kind: gr.resource,
  ...extra,
});

export function failure(
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

/** Thrown inside the core; the router turns it into its Status answer. */
export class StatusError extends Error {
  constructor(
    readonly status: StatusBody,
    /** `Warning` headers gathered before the failure. */
    readonly warnings: string[] = [],
  ) {
    super(status.message);
  }
}

export const notFound = (gr: GroupResource, name: string) =>
  failure(404, "NotFound", `${qualified(gr)} "${name}" not found`, detailsOf(gr, name));

export const alreadyExists = (gr: GroupResource, name: string) =>
  failure(409, "AlreadyExists", `${qualified(gr)} "${name}" already exists`, detailsOf(gr, name));

/** `errors.NewConflict`: `Operation cannot be fulfilled on pods "x": <why>`. */
export const conflict = (gr: GroupResource, name: string, why: string) =>
  failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
    detailsOf(gr, name),
  );

/** The optimistic-concurrency message of `registry/generic/registry/store.go` (OptimisticLockErrorMsg). */
export const OPTIMISTIC_LOCK_MESSAGE =
  "the object has been modified; please apply your changes to the latest version and try again";

export const unauthorized = () => failure(401, "Unauthorized", "Unauthorized");

export const forbidden = (message: string) => failure(403, "Forbidden", message, {});

/** `errors.NewForbidden(gr, name, err)`: `pods "x" is forbidden: <why>`. */
export const forbiddenObject = (
  gr: GroupResource,
  name: string,
  why: string,
  causes?: { reason: string; message: string; field: string }[],
) =>
  failure(
    403,
    "Forbidden",
    `${qualified(gr)} "${name}" is forbidden: ${why}`,
    detailsOf(gr, name, causes ? { causes } : {}),
  );

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

export const notAcceptable = (message: string) => failure(406, "NotAcceptable", message, {});

export const unsupportedMediaType = (contentType: string) =>
  failure(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${contentType}`,
    {},
  );

/** 410 Gone, reason Expired (`errors.NewResourceExpired`). */
export const expired = (message: string) => failure(410, "Expired", message);

/** 500 InternalError (`errors.NewInternalError`). */
export const internal = (message: string) =>
  failure(500, "InternalError", `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });

/** One field problem of a 422 Invalid answer (`field.Error`). */
export type FieldCause =
  | { type: "Invalid"; field: string; value: unknown; detail: string }
  | { type: "Required"; field: string; detail?: string }
  | { type: "Forbidden"; field: string; detail: string }
  | { type: "NotSupported"; field: string; value: unknown; supported: string[] };

function causeMessage(cause: FieldCause): string {
  switch (cause.type) {
    case "Invalid":
      return `Invalid value: ${JSON.stringify(cause.value)}: ${cause.detail}`;
    case "Required":
      return cause.detail ? `Required value: ${cause.detail}` : "Required value";
    case "Forbidden":
      return `Forbidden: ${cause.detail}`;
    case "NotSupported":
      return `Unsupported value: ${JSON.stringify(cause.value)}: supported values: ${cause.supported
        .map((s) => JSON.stringify(s))
        .join(", ")}`;
  }
}

/** 422 Invalid, one cause per field, as `errors.NewInvalid(groupKind, name, errs)` builds it. */
export function invalid(gk: { group: string; kind: string }, name: string, causes: FieldCause[]) {
  const kind = gk.group === "" ? gk.kind : `${gk.kind}.${gk.group}`;
  const messages = causes.map((c) => `${c.field}: ${causeMessage(c)}`);
  // errors.NewInvalid: one cause is written as is, several as a bracketed list (utilerrors.NewAggregate).
  const summary = messages.length === 1 ? messages[0] : `[${messages.join(", ")}]`;
  return failure(422, "Invalid", `${kind} "${name}" is invalid: ${summary}`, {
    name,
    ...(gk.group === "" ? {} : { group: gk.group }),
    kind: gk.kind,
    causes: causes.map((c) => ({
      reason: `FieldValue${c.type}`,
      message: causeMessage(c),
      field: c.field,
    })),
  });
}

/** 422 on request options (`ListOptions.meta.k8s.io "" is invalid: ...`). */
export const invalidOptions = (kind: string, causes: FieldCause[]) =>
  invalid({ group: "meta.k8s.io", kind }, "", causes);

/** The Success Status most registries answer a delete with. */
export const deleted = (gr: GroupResource, name: string, uid: string | undefined): StatusBody => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Success",
  details: detailsOf(gr, name, { uid }),
  code: 200,
});
