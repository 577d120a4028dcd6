// The v1.28 OpenAPI documents (v2 swagger.json and the v3 per-group-version files), read lazily
// from disk: the package's own `spec/` (copied at build, shipped) or, in the source checkout,
// @kin/resources' `spec/`. Both resolve the same from `src/` and `dist/` (paths from the package root).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../harness/packageRoot.js";

const CANDIDATES = ["spec/v1.28/", "../resources/spec/v1.28/"];

let specDir: string | undefined | null = null;

/** The directory holding `swagger.json` and `v3/`; `undefined` when no copy is found. */
export function specDirectory(): string | undefined {
  if (specDir === null) {
    const root = packageRoot(import.meta.url);
    specDir = CANDIDATES.map((c) => join(root, c)).find((dir) => existsSync(`${dir}swagger.json`));
  }
  return specDir;
}

let v2Text: string | undefined;
let v2Definitions: Record<string, Schema> | undefined;

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  $ref?: string;
  allOf?: Schema[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  [key: string]: unknown;
}

/** `GET /openapi/v2`: swagger.json as published for v1.28. */
export function openApiV2(): string | undefined {
  const dir = specDirectory();
  if (!dir) return undefined;
  v2Text ??= readFileSync(`${dir}swagger.json`, "utf8");
  return v2Text;
}

/** The v2 definitions by name (`io.k8s.api.core.v1.Pod`). */
export function definitions(): Record<string, Schema> | undefined {
  if (v2Definitions) return v2Definitions;
  const text = openApiV2();
  if (!text) return undefined;
  v2Definitions = (JSON.parse(text) as { definitions: Record<string, Schema> }).definitions;
  return v2Definitions;
}

interface V3Entry {
  file: string;
  hash: string;
}
let v3Index: Map<string, V3Entry> | undefined;

function v3(): Map<string, V3Entry> | undefined {
  if (v3Index) return v3Index;
  const dir = specDirectory();
  if (!dir || !existsSync(`${dir}v3`)) return undefined;
  v3Index = new Map();
  for (const file of readdirSync(`${dir}v3`).sort()) {
    const m = /^(.*)_openapi\.json$/.exec(file);
    if (!m) continue;
    const path = (m[1] as string).split("__").join("/");
    const hash = createHash("sha512")
      .update(readFileSync(`${dir}v3/${file}`))
      .digest("hex")
      .toUpperCase();
    v3Index.set(path, { file: `${dir}v3/${file}`, hash });
  }
  return v3Index;
}

/** `GET /openapi/v3`: the index of group/version documents with their hashed URLs. */
export function openApiV3Index(): string | undefined {
  const index = v3();
  if (!index) return undefined;
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, { hash }] of index)
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  return JSON.stringify({ paths });
}

/** `GET /openapi/v3/<path>` (`api/v1`, `apis/apps/v1`). */
export function openApiV3(path: string): string | undefined {
  const entry = v3()?.get(path);
  return entry ? readFileSync(entry.file, "utf8") : undefined;
}

// --- /openapi/v2 as protobuf -------------------------------------------------------------------
// client-go's `OpenAPISchema()` (kubectl explain, apply) asks only for
// `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`: gnostic's openapi_v2.Document
// (github.com/google/gnostic openapiv2/OpenAPIv2.proto), with vendor extensions, defaults, enums
// and examples as YAML text in `Any.yaml`. Encoded here: swagger, info and every definition (what
// kube-openapi's proto models read); `paths` are left out.

export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

/** Whether an Accept header asks for the protobuf OpenAPI v2 (either spelling of its media type). */
export const wantsOpenApiV2Protobuf = (accept: string | null) =>
  /application\/com\.github\.proto-openapi\.spec\.v2[@.]v1\.0\+protobuf/.test(accept ?? "");

type Bytes = Uint8Array;
const utf8 = new TextEncoder();

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** A protobuf message being written: fields in order. */
class Message {
  readonly parts: Bytes[] = [];
  #tag(field: number, wire: number) {
    this.parts.push(Uint8Array.from(varint(field * 8 + wire)));
  }
  bytes(field: number, value: Bytes) {
    this.#tag(field, 2);
    this.parts.push(Uint8Array.from(varint(value.length)), value);
  }
  string(field: number, value: unknown) {
    if (typeof value === "string" && value !== "") this.bytes(field, utf8.encode(value));
  }
  message(field: number, value: Message) {
    this.bytes(field, value.encode());
  }
  bool(field: number, value: unknown) {
    if (value === true) {
      this.#tag(field, 0);
      this.parts.push(Uint8Array.of(1));
    }
  }
  int(field: number, value: unknown) {
    if (typeof value === "number" && Number.isInteger(value) && value > 0) {
      this.#tag(field, 0);
      this.parts.push(Uint8Array.from(varint(value)));
    }
  }
  double(field: number, value: unknown) {
    if (typeof value !== "number") return;
    this.#tag(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    this.parts.push(b);
  }
  encode(): Bytes {
    return Buffer.concat(this.parts);
  }
}

const toYaml = (value: unknown) => `${JSON.stringify(value)}\n`;

/** openapi_v2.Any: the value as YAML text (JSON is YAML). */
function anyOf(value: unknown): Message {
  const m = new Message();
  m.string(2, toYaml(value));
  return m;
}

function namedAny(name: string, value: unknown): Message {
  const m = new Message();
  m.string(1, name);
  m.message(2, anyOf(value));
  return m;
}

function schemaMessage(s: Schema): Message {
  const m = new Message();
  m.string(1, s.$ref);
  m.string(2, s.format);
  m.string(3, s.title);
  m.string(4, s.description);
  if (s.default !== undefined) m.message(5, anyOf(s.default));
  m.double(6, s.multipleOf);
  m.double(7, s.maximum);
  m.bool(8, s.exclusiveMaximum);
  m.double(9, s.minimum);
  m.bool(10, s.exclusiveMinimum);
  m.int(11, s.maxLength);
  m.int(12, s.minLength);
  m.string(13, s.pattern);
  m.int(14, s.maxItems);
  m.int(15, s.minItems);
  m.bool(16, s.uniqueItems);
  m.int(17, s.maxProperties);
  m.int(18, s.minProperties);
  for (const r of (s.required as string[] | undefined) ?? []) m.string(19, r);
  for (const e of (s.enum as unknown[] | undefined) ?? []) m.message(20, anyOf(e));
  if (s.additionalProperties !== undefined) {
    const a = new Message();
    if (typeof s.additionalProperties === "boolean") {
      // oneof `boolean = 2`: written even when false (the oneof is set).
      a.parts.push(Uint8Array.of(2 * 8, s.additionalProperties ? 1 : 0));
    } else a.message(1, schemaMessage(s.additionalProperties));
    m.message(21, a);
  }
  if (s.type !== undefined) {
    const t = new Message();
    for (const v of Array.isArray(s.type) ? s.type : [s.type]) t.string(1, v);
    m.message(22, t);
  }
  if (s.items !== undefined) {
    const items = new Message();
    for (const i of Array.isArray(s.items) ? s.items : [s.items])
      items.message(1, schemaMessage(i));
    m.message(23, items);
  }
  for (const a of s.allOf ?? []) m.message(24, schemaMessage(a));
  if (s.properties) {
    const p = new Message();
    for (const [name, value] of Object.entries(s.properties)) {
      const named = new Message();
      named.string(1, name);
      named.message(2, schemaMessage(value));
      p.message(1, named);
    }
    m.message(25, p);
  }
  m.string(26, s.discriminator);
  m.bool(27, s.readOnly);
  if (s.example !== undefined) m.message(30, anyOf(s.example));
  for (const [key, value] of Object.entries(s))
    if (key.startsWith("x-")) m.message(31, namedAny(key, value));
  return m;
}

let v2Protobuf: Bytes | undefined;

/** `GET /openapi/v2` with `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`. */
export function openApiV2Protobuf(): Bytes | undefined {
  if (v2Protobuf) return v2Protobuf;
  const text = openApiV2();
  if (!text) return undefined;
  const doc = JSON.parse(text) as {
    swagger: string;
    info?: { title?: string; version?: string };
    definitions: Record<string, Schema>;
  };
  const m = new Message();
  m.string(1, doc.swagger);
  const info = new Message();
  info.string(1, doc.info?.title);
  info.string(2, doc.info?.version);
  m.message(2, info);
  const defs = new Message();
  for (const [name, schema] of Object.entries(doc.definitions)) {
    const named = new Message();
    named.string(1, name);
    named.message(2, schemaMessage(schema));
    defs.message(1, named);
  }
  m.message(9, defs);
  v2Protobuf = m.encode();
  return v2Protobuf;
}
