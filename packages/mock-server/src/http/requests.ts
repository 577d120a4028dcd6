// What the core reads from a request: the body as a JSON object, and the options of a write
// (`dryRun`, `fieldManager`, `fieldValidation`, `force`), validated as the server does.
import * as status from "./status.js";
import { StatusError } from "./status.js";

/** The request body as a JSON object; 400 with the decoder's message otherwise. */
export async function readObject(request: Request): Promise<Record<string, unknown>> {
  const body = await request.text();
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new StatusError(
      status.badRequest(
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf: ${(error as Error).message}`,
      ),
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new StatusError(status.badRequest(`Object 'Kind' is missing in '${body.slice(0, 200)}'`));
  return value as Record<string, unknown>;
}

export type FieldValidation = "Strict" | "Warn" | "Ignore";

export interface WriteQuery {
  dryRun: boolean;
  manager: string;
  /** Whether `fieldManager` was given (apply requires it). */
  managerGiven: boolean;
  fieldValidation: FieldValidation;
  force: boolean;
}

/** The manager name the server derives from the user agent when `fieldManager` is absent (prefixFromUserAgent). */
const managerFromUserAgent = (ua: string | null) => (ua ?? "").split("/")[0] || "unknown";

/**
 * `dryRun`, `fieldManager`, `fieldValidation`, `force` of a write, validated as the server does
 * (422 `CreateOptions.meta.k8s.io "" is invalid: ...`).
 */
export function writeQuery(
  request: Request,
  query: URLSearchParams,
  options: "CreateOptions" | "UpdateOptions" | "PatchOptions" | "DeleteOptions",
  apply = false,
): WriteQuery {
  const causes: status.FieldCause[] = [];
  const dryRun = query.getAll("dryRun");
  for (const value of dryRun)
    if (value !== "All")
      causes.push({ type: "NotSupported", field: "dryRun", value, supported: ["All"] });
  const manager = query.get("fieldManager");
  const fieldValidation = query.get("fieldValidation") ?? "";
  if (!["", "Strict", "Warn", "Ignore"].includes(fieldValidation))
    causes.push({
      type: "NotSupported",
      field: "fieldValidation",
      value: fieldValidation,
      supported: ["", "Ignore", "Strict", "Warn"],
    });
  const force = query.get("force");
  if (options === "PatchOptions") {
    if (apply && !manager)
      causes.push({
        type: "Required",
        field: "fieldManager",
        detail: "is required for apply patch",
      });
    if (!apply && force !== null)
      causes.push({
        type: "Forbidden",
        field: "force",
        detail: "may not be specified for non-apply patch",
      });
  }
  if (causes.length > 0) throw new StatusError(status.invalidOptions(options, causes));
  return {
    dryRun: dryRun.length > 0,
    manager: manager || managerFromUserAgent(request.headers.get("user-agent")),
    managerGiven: Boolean(manager),
    // Server-side field validation is on by default since 1.27: Warn unless asked otherwise.
    fieldValidation: (fieldValidation || "Warn") as FieldValidation,
    force: force === "true",
  };
}
