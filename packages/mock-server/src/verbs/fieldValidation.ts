// Unknown-field detection for `fieldValidation` (Strict / Warn / Ignore), against the v1.28 OpenAPI
// definitions for built-in kinds and the CRD's openAPIV3Schema for custom resources. Messages are the
// decoder's: `unknown field "spec.foo"` (apimachinery/pkg/runtime/serializer/json, strict errors).
import type { Served } from "../discovery/catalogue.js";
import { definitions, type Schema } from "../discovery/openapi.js";

function resolve(schema: Schema | undefined, defs: Record<string, Schema>): Schema | undefined {
  let s = schema;
  for (let i = 0; s && i < 10; i++) {
    if (s.$ref) s = defs[s.$ref.replace("#/definitions/", "")];
    else if (s.allOf?.length === 1) s = s.allOf[0];
    else break;
  }
  return s;
}

function walk(
  value: unknown,
  schema: Schema | undefined,
  path: string,
  defs: Record<string, Schema>,
  out: string[],
): void {
  const s = resolve(schema, defs);
  if (!s || s["x-kubernetes-preserve-unknown-fields"]) return;
  if (Array.isArray(value)) {
    if (s.items) for (const [i, v] of value.entries()) walk(v, s.items, `${path}[${i}]`, defs, out);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  if (s.properties) {
    for (const [key, v] of Object.entries(value)) {
      const child = s.properties[key];
      const p = path ? `${path}.${key}` : key;
      if (!child) out.push(`unknown field ${JSON.stringify(p)}`);
      else walk(v, child, p, defs, out);
    }
  } else if (typeof s.additionalProperties === "object") {
    for (const [key, v] of Object.entries(value))
      walk(v, s.additionalProperties, path ? `${path}.${key}` : key, defs, out);
  }
}

/** The unknown fields of `body` for `served`, as the decoder reports them (empty when none or no schema). */
export function checkFields(served: Served, body: unknown): string[] {
  const out: string[] = [];
  if (served.custom) {
    const schema = served.custom.schema as Schema | undefined;
    if (!schema?.properties) return out;
    const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = body as Record<string, unknown>;
    walk(rest, { ...schema, properties: { ...schema.properties } }, "", {}, out);
    return out;
  }
  const defs = served.definition ? definitions() : undefined;
  if (!defs || !served.definition) return out;
  walk(body, defs[served.definition], "", defs, out);
  return out;
}
