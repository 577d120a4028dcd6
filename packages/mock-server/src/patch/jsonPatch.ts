// RFC 6902 JSON Patch, as the API server applies `application/json-patch+json`.
//
// The server decodes the body with evanphx/json-patch (`jsonpatch.DecodePatch`; a body that is not a list
// of operations is a 400 with the decoder's message) and applies it; *any* failure while applying (a
// failed `test`, a path that does not exist, an unknown op) is answered by
// `errors.NewGenericServerResponse(422, "", GroupResource{}, "", err.Error(), 0, false)`, whose message is
// the generic "the server rejected our request due to an error in our request" and whose details carry
// no cause (isUnexpectedResponse is false), see
// k8s.io/apiserver/pkg/endpoints/handlers/patch.go (jsonPatcher.applyJSPatch) and
// k8s.io/apimachinery/pkg/api/errors (NewGenericServerResponse). The precise cause is kept in `detail`.

import { clone, deepEqual, isObject } from "./json.js";
import { PatchError } from "./patchError.js";

/** The message the API server answers a JSON patch that does not apply with (422 Invalid). */
export const JSON_PATCH_REJECTED_MESSAGE =
  "the server rejected our request due to an error in our request";

/** Decodes an RFC 6901 JSON pointer (`/metadata/labels/a~1b` → `["metadata", "labels", "a/b"]`). */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`invalid JSON pointer: ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function goTypeName(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "object") return "object";
  if (typeof value === "boolean") return "bool";
  return typeof value;
}

function rejected(detail: string): PatchError {
  return new PatchError(422, JSON_PATCH_REJECTED_MESSAGE, { detail });
}

function arrayIndex(segment: string, length: number, allowEnd: boolean): number {
  if (segment === "-" && allowEnd) return length;
  if (!/^(0|[1-9][0-9]*)$/.test(segment)) {
    throw rejected(`Unable to access invalid index: ${segment}: invalid index referenced`);
  }
  const index = Number(segment);
  if (index > length || (!allowEnd && index === length)) {
    throw rejected(`Unable to access invalid index: ${index}: invalid index referenced`);
  }
  return index;
}

/** The container holding the last segment of `path`, and that segment. */
function parent(doc: unknown, path: string[], op: string, pointer: string): [unknown, string] {
  let node = doc;
  for (const segment of path.slice(0, -1)) {
    if (Array.isArray(node)) {
      const i = /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : -1;
      node = i >= 0 && i < node.length ? node[i] : undefined;
    } else if (isObject(node) && Object.hasOwn(node, segment)) {
      node = node[segment];
    } else {
      node = undefined;
    }
    if (node === undefined) break;
  }
  if (!Array.isArray(node) && !isObject(node)) {
    throw rejected(
      `${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}: missing value`,
    );
  }
  return [node, path[path.length - 1] as string];
}

function get(doc: unknown, pointer: string, op: string): unknown {
  let node = doc;
  for (const segment of parseJsonPointer(pointer)) {
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(segment) && Number(segment) < node.length) {
      node = node[Number(segment)];
    } else if (isObject(node) && Object.hasOwn(node, segment)) {
      node = node[segment];
    } else {
      throw rejected(
        `${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}: missing value`,
      );
    }
  }
  return node;
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  const path = parseJsonPointer(pointer);
  if (path.length === 0) return value;
  const [container, key] = parent(doc, path, "add", pointer);
  if (Array.isArray(container)) container.splice(arrayIndex(key, container.length, true), 0, value);
  else (container as Record<string, unknown>)[key] = value;
  return doc;
}

function remove(doc: unknown, pointer: string, op = "remove"): [unknown, unknown] {
  const path = parseJsonPointer(pointer);
  if (path.length === 0) return [null, doc];
  const [container, key] = parent(doc, path, op, pointer);
  if (Array.isArray(container)) {
    const index = arrayIndex(key, container.length, false);
    return [doc, container.splice(index, 1)[0]];
  }
  const object = container as Record<string, unknown>;
  if (!Object.hasOwn(object, key)) {
    throw rejected(
      op === "remove"
        ? `Unable to remove nonexistent key: ${key}: missing value`
        : `${op} operation does not apply: doc is missing key: ${pointer}: missing value`,
    );
  }
  const old = object[key];
  delete object[key];
  return [doc, old];
}

function field(operation: Record<string, unknown>, name: string, index: number): string {
  const value = operation[name];
  if (typeof value !== "string") {
    throw rejected(`operation ${index}: missing or invalid ${JSON.stringify(name)}`);
  }
  return value;
}

/**
 * Applies an RFC 6902 JSON patch (`add`, `remove`, `replace`, `move`, `copy`, `test`; `~0`/`~1` escaping;
 * `-` appends) to a copy of `target` and returns the result.
 *
 * @throws {PatchError} 400 (the decoder's message) when `operations` is not a list of objects; 422 with the
 * server's generic message (and the precise cause in `detail`) when an operation does not apply.
 */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (operations === null) return clone(target);
  if (!Array.isArray(operations)) {
    throw new PatchError(
      400,
      `json: cannot unmarshal ${goTypeName(operations)} into Go value of type jsonpatch.Patch`,
    );
  }
  for (const operation of operations) {
    if (!isObject(operation)) {
      throw new PatchError(
        400,
        `json: cannot unmarshal ${goTypeName(operation)} into Go value of type jsonpatch.Operation`,
      );
    }
  }
  let doc = clone(target);
  (operations as Record<string, unknown>[]).forEach((operation, index) => {
    const op = operation.op;
    switch (op) {
      case "add":
        doc = add(doc, field(operation, "path", index), clone(operation.value ?? null));
        break;
      case "remove":
        doc = remove(doc, field(operation, "path", index))[0];
        break;
      case "replace": {
        const path = field(operation, "path", index);
        doc = remove(doc, path, "replace")[0];
        doc = add(doc, path, clone(operation.value ?? null));
        break;
      }
      case "move": {
        const from = field(operation, "from", index);
        const path = field(operation, "path", index);
        const [rest, value] = remove(doc, from, "move");
        doc = add(rest, path, value);
        break;
      }
      case "copy": {
        const value = clone(get(doc, field(operation, "from", index), "copy"));
        doc = add(doc, field(operation, "path", index), value);
        break;
      }
      case "test": {
        const path = field(operation, "path", index);
        let actual: unknown;
        try {
          actual = get(doc, path, "test");
        } catch {
          actual = undefined;
        }
        const expected = operation.value ?? null;
        if (!(actual === undefined ? expected === null : deepEqual(actual, expected))) {
          throw rejected(`testing value ${path} failed: test failed`);
        }
        break;
      }
      default:
        throw rejected(`Unexpected kind: ${String(op)}`);
    }
  });
  return doc;
}
