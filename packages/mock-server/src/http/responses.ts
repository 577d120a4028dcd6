// What the core answers: JSON, Status answers for its errors, encoded objects.
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
