// Plain-JSON helpers of the patch engines (and the registry's deep equality).

/** A decoded JSON object. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An object's keys but those whose value is `undefined` (absent once encoded). */
const definedKeys = (o: JsonObject) => Object.keys(o).filter((k) => o[k] !== undefined);

/**
 * Structural equality of two JSON values, as their encodings compare: key order ignored, and a key
 * whose value is `undefined` counts as absent (JSON.stringify drops it). The one deep equality of the
 * package: the patch engines' and the registry's (is an update a no-op, did the spec change).
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = definedKeys(a);
    if (keys.length !== definedKeys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** A deep copy of a decoded JSON value. */
export function clone<T>(value: T): T {
  return value === undefined ? value : (structuredClone(value) as T);
}
