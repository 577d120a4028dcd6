// Field selectors: a builder and a parser faithful to k8s.io/apimachinery/pkg/fields/selector.go
// (`=`, `==`, `!=`; `\`, `,` and `=` escaped in values), with its error messages.
import { InvalidSelectorError } from "./labelSelector.js";

/** One term of a field selector. */
export interface FieldRequirement {
  /** The field path, e.g. `metadata.name`, `status.phase`, `spec.nodeName`. */
  readonly field: string;
  /** `=` and `==` are the same; `!=` also matches objects whose field is empty. */
  readonly operator: "=" | "==" | "!=";
  readonly value: string;
}

/** A parsed field selector. */
export interface ParsedFieldSelector {
  /** In the order the server keeps them (sorted by their text). */
  readonly requirements: readonly FieldRequirement[];
  /** Whether an object satisfies every term; `get` reads a field (default: the dotted path, `""` when absent). */
  matches(object: unknown, get?: (object: unknown, field: string) => string): boolean;
  /** The canonical text (`fields.Selector.String()`). */
  toString(): string;
}

/** `fields.EscapeValue`: escapes `\`, `,` and `=` in a value. */
export function escapeFieldValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/,/g, "\\,").replace(/=/g, "\\=");
}

/** `fields.UnescapeValue`, with its errors. */
function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = "";
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c === "\\" || c === "," || c === "=") out += c;
      else throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === "\\") inSlash = true;
    else if (c === "," || c === "=")
      throw new Error(
        `invalid field selector: unescaped character in value: ${c.codePointAt(0) ?? 0}`,
      );
    else out += c;
  }
  if (inSlash) throw new Error("invalid field selector: invalid escape sequence: \\");
  return out;
}

/** The term's text: `field=value` (escaped); `==` is written `=`, as the server does. */
const termText = (r: FieldRequirement) =>
  `${r.field}${r.operator === "!=" ? "!=" : "="}${escapeFieldValue(r.value)}`;

/** Reads a dotted path; `""` for an absent or null field, as the server's field sets do. */
export function fieldValue(object: unknown, field: string): string {
  let value: unknown = object;
  for (const part of field.split(".")) {
    if (value === null || typeof value !== "object") return "";
    value = (value as Record<string, unknown>)[part];
  }
  return value === undefined || value === null ? "" : String(value);
}

function selectorOf(requirements: FieldRequirement[]): ParsedFieldSelector {
  return {
    requirements,
    matches: (object, get = fieldValue) =>
      requirements.every((r) =>
        r.operator === "!=" ? get(object, r.field) !== r.value : get(object, r.field) === r.value,
      ),
    toString: () => requirements.map(termText).join(","),
  };
}

/**
 * The text of a field selector: `{ "status.phase": "Running" }` or a list of requirements. Values are
 * escaped; terms are sorted as the server sorts them. Throws {@link InvalidSelectorError} for an empty field.
 */
export function fieldSelector(
  requirements: readonly FieldRequirement[] | Readonly<Record<string, string>>,
): string {
  const list: FieldRequirement[] = Array.isArray(requirements)
    ? [...(requirements as readonly FieldRequirement[])]
    : Object.entries(requirements as Record<string, string>).map(([field, value]) => ({
        field,
        operator: "=" as const,
        value,
      }));
  for (const r of list) {
    if (r.field === "" || /[,=!\\]/.test(r.field))
      throw new InvalidSelectorError(
        `invalid field selector: invalid field: ${JSON.stringify(r.field)}`,
      );
    if (r.operator !== "=" && r.operator !== "==" && r.operator !== "!=")
      throw new InvalidSelectorError(
        `invalid field selector: invalid operator: ${JSON.stringify(r.operator)}`,
      );
  }
  const texts = list.map((r) => ({ r, text: termText(r) }));
  texts.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  return texts.map((t) => t.text).join(",");
}

/** Splits on commas that are not escaped (`splitTerms`). */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/**
 * Parses a field selector as the API server does (`fields.ParseSelector`). `""` selects everything.
 * Throws {@link InvalidSelectorError} with the server's message (`invalid selector: 'x'; can't understand 'x'`).
 * Which fields a kind supports is the server's business (see the mock server), not the parser's.
 */
export function parseFieldSelector(selector: string): ParsedFieldSelector {
  const parts = splitTerms(selector).sort();
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === "") continue;
    let found: FieldRequirement | undefined;
    for (let i = 0; i < part.length && !found; i++) {
      for (const op of ["!=", "==", "="] as const) {
        if (part.startsWith(op, i)) {
          const raw = part.slice(i + op.length);
          let value: string;
          try {
            value = unescapeFieldValue(raw);
          } catch (error) {
            throw new InvalidSelectorError((error as Error).message, selector);
          }
          found = { field: part.slice(0, i), operator: op, value };
          break;
        }
      }
    }
    if (!found)
      throw new InvalidSelectorError(
        `invalid selector: '${selector}'; can't understand '${part}'`,
        selector,
      );
    requirements.push(found);
  }
  return selectorOf(requirements);
}
