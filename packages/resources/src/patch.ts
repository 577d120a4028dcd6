// Patch bodies with their content types: JSON Patch (RFC 6902), JSON merge patch (RFC 7386),
// strategic merge patch (with its directives) and server-side apply.
import { ResourcesError } from "./errors.js";

/** The `Content-Type` of each kind of patch the API server accepts. */
export const PatchContentType = {
  /** RFC 6902 JSON Patch: a list of operations. */
  json: "application/json-patch+json",
  /** RFC 7386 JSON merge patch: objects merge, `null` deletes, lists are replaced whole. */
  merge: "application/merge-patch+json",
  /** Strategic merge patch: lists merge by their patch merge key (built-in kinds only). */
  strategic: "application/strategic-merge-patch+json",
  /** Server-side apply: the fields this manager owns (JSON is valid YAML). */
  apply: "application/apply-patch+yaml",
} as const;

/** One of the four patch content types. */
export type PatchContentType = (typeof PatchContentType)[keyof typeof PatchContentType];

/** A patch ready to send: the request body and its content type. */
export interface PatchBody {
  readonly contentType: PatchContentType;
  /** The serialised body. */
  readonly body: string;
}

/** A JSON Pointer (RFC 6901), e.g. `/metadata/labels/app`; build one with {@link jsonPointer}. */
export type JsonPointer = string;

/** One RFC 6902 operation. */
export type JsonPatchOperation =
  | { op: "add"; path: JsonPointer; value: unknown }
  | { op: "remove"; path: JsonPointer }
  | { op: "replace"; path: JsonPointer; value: unknown }
  | { op: "move"; from: JsonPointer; path: JsonPointer }
  | { op: "copy"; from: JsonPointer; path: JsonPointer }
  | { op: "test"; path: JsonPointer; value: unknown };

/** A JSON Pointer from path segments, escaping `~` and `/`: `jsonPointer("metadata", "labels", "a/b")` → `/metadata/labels/a~1b`. */
export function jsonPointer(...segments: readonly (string | number)[]): JsonPointer {
  return segments.map((s) => `/${String(s).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/** A JSON Patch body (`application/json-patch+json`). */
export function jsonPatch(operations: readonly JsonPatchOperation[]): PatchBody {
  return { contentType: PatchContentType.json, body: JSON.stringify(operations) };
}

type Primitive = string | number | boolean | bigint | symbol | null | undefined;

/** A JSON merge patch of `T`: every field optional, `null` deletes it, lists replace the whole list. */
export type MergePatch<T> = T extends Primitive
  ? T
  : T extends readonly unknown[]
    ? T
    : { [K in keyof T]?: MergePatch<T[K]> | null };

/** A merge patch body (`application/merge-patch+json`). */
export function mergePatch<T>(patch: MergePatch<T>): PatchBody {
  return { contentType: PatchContentType.merge, body: JSON.stringify(patch) };
}

/** Directives of a strategic merge patch on one object. */
export interface StrategicMergeDirectives {
  /** `replace`: this object replaces the live one; `delete`: remove it (in a list: the item with this merge key); `merge`: the default. */
  $patch?: "replace" | "merge" | "delete";
  /** For fields with the `retainKeys` strategy: keep only these keys, clear the others. */
  $retainKeys?: string[];
}

/** A strategic merge patch of `T`, with its directives typed (`$patch`, `$retainKeys`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`). */
export type StrategicMergePatch<T> = T extends Primitive
  ? T
  : T extends readonly (infer Item)[]
    ? (Item extends Primitive ? Item : StrategicMergePatch<Item>)[]
    : { [K in keyof T]?: StrategicMergePatch<T[K]> | null } & StrategicMergeDirectives & {
          [K in keyof T & string as NonNullable<T[K]> extends readonly unknown[]
            ? `$setElementOrder/${K}`
            : never]?: unknown[];
        } & {
          [K in keyof T & string as NonNullable<T[K]> extends readonly Primitive[]
            ? `$deleteFromPrimitiveList/${K}`
            : never]?: NonNullable<T[K]>;
        };

/** A strategic merge patch body (`application/strategic-merge-patch+json`); built-in kinds only. */
export function strategicMergePatch<T>(patch: StrategicMergePatch<T>): PatchBody {
  return { contentType: PatchContentType.strategic, body: JSON.stringify(patch) };
}

type DeepPartial<T> = T extends Primitive
  ? T
  : T extends readonly (infer Item)[]
    ? DeepPartial<Item>[]
    : { [K in keyof T]?: DeepPartial<T[K]> };

/** A server-side apply configuration of `T`: the fields this manager sets, with `apiVersion`, `kind` and `metadata.name` required. */
export type ApplyConfiguration<T> = DeepPartial<T> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
};

/** Thrown by {@link applyPatch} when the configuration lacks what the server requires. */
export class InvalidApplyConfigurationError extends ResourcesError {
  override readonly name = "InvalidApplyConfigurationError";
}

/** A server-side apply body (`application/apply-patch+yaml`; sent as JSON, which is YAML). Send with `fieldManager`. */
export function applyPatch<T>(configuration: ApplyConfiguration<T>): PatchBody {
  for (const field of ["apiVersion", "kind"] as const) {
    if (typeof configuration[field] !== "string" || configuration[field] === "")
      throw new InvalidApplyConfigurationError(`${field} must be set`);
  }
  if (typeof configuration.metadata?.name !== "string" || configuration.metadata.name === "")
    throw new InvalidApplyConfigurationError("metadata.name must be set");
  return { contentType: PatchContentType.apply, body: JSON.stringify(configuration) };
}
