// HTTP helpers of the core: JSON answers, Status answers, request bodies and write options.
import type { KubeObject } from "@kin/resources";
import { PatchError } from "../patch/index.js";
import * as status from "./status.js";
import { StatusError } from "./status.js";

const JSON_TYPE = { "content-type": "application/json" };

export function json(body: unknown, code = 200, warnings: string[] = []): Response {
  return text(typeof body === "string" ? body : JSON.stringify(body), code, warnings);
}

/** A JSON answer from already-encoded text. */
export function text(body: string, code = 200, warnings: string[] = []): Response {
  const headers = new Headers(JSON_TYPE);
  for (const w of warnings) headers.append("warning", `299 - ${JSON.stringify(w)}`);
  return new Response(body, { status: code, headers });
}

export const fail = (body: status.StatusBody, warnings: string[] = []) =>
  json(body, body.code, warnings);

/** Any error of the core as the API server answers it. */
export function answerError(error: unknown): Response {
  if (error instanceof StatusError) return fail(error.status, error.warnings);
  if (error instanceof PatchError) {
    const causes = error.conflicts?.map((c) => ({
      reason: "FieldManagerConflict",
      message: `conflict with ${JSON.stringify(c.manager)}`,
      field: c.field,
    }));
    return fail(
      status.failure(error.code, error.reason, error.message, causes ? { causes } : undefined),
    );
  }
  return fail(status.internal((error as Error).message ?? String(error)));
}

// Encoded objects, cached: stored objects are never mutated, so their JSON never changes.
const encoded = new WeakMap<object, string>();
const encodedItem = new WeakMap<object, string>();

export function encode(object: KubeObject): string {
  let s = encoded.get(object);
  if (s === undefined) {
    s = JSON.stringify(object);
    encoded.set(object, s);
  }
  return s;
}

/** An object as a list item: without apiVersion and kind, as the server encodes typed lists. */
export function encodeItem(object: KubeObject): string {
  let s = encodedItem.get(object);
  if (s === undefined) {
    const { apiVersion: _a, kind: _k, ...rest } = object;
    s = JSON.stringify(rest);
    encodedItem.set(object, s);
  }
  return s;
}

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
