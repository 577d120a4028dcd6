// create, update and patch (json, merge, strategic merge, server-side apply) over the registry.
import type { KubeObject } from "@kin/resources";
import { parse as parseYaml } from "yaml";
import type { Served } from "../discovery/catalogue.js";
import { readObject, type WriteQuery, writeQuery } from "../http/requests.js";
import { encode, text } from "../http/responses.js";
import type { Target } from "../http/routing.js";
import * as status from "../http/status.js";
import { StatusError } from "../http/status.js";
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  serverSideApply,
  supportsStrategicMerge,
} from "../patch/index.js";
import { timestamp } from "../registry/metadata.js";
import type { Registry } from "../registry/registry.js";
import { checkFields } from "./fieldValidation.js";

/** `apiVersion`/`kind` in a body must be the resource's (or absent). */
function checkKind(served: Served, body: Record<string, unknown>): void {
  const d = served.descriptor;
  if (body.apiVersion !== undefined && body.apiVersion !== d.apiVersion)
    throw new StatusError(
      status.badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${d.apiVersion})`,
      ),
    );
  if (body.kind !== undefined && body.kind !== d.kind)
    throw new StatusError(
      status.badRequest(
        `the kind in the data (${String(body.kind)}) does not match the expected kind (${d.kind})`,
      ),
    );
}

/** Unknown and duplicate fields: 400 (Strict), `Warning` headers (Warn, the default) or nothing (Ignore). */
export function fieldWarnings(served: Served, body: unknown, options: WriteQuery): string[] {
  if (options.fieldValidation === "Ignore") return [];
  const problems = checkFields(served, body);
  if (problems.length === 0) return [];
  if (options.fieldValidation === "Strict") {
    const d = served.descriptor;
    throw new StatusError(
      status.badRequest(
        `${d.kind} in version "${d.version}" cannot be handled as a ${d.kind}: strict decoding error: ${problems.join(", ")}`,
      ),
    );
  }
  return problems;
}

export async function create(
  registry: Registry,
  target: Target,
  request: Request,
  query: URLSearchParams,
): Promise<Response> {
  const options = writeQuery(request, query, "CreateOptions");
  const body = await readObject(request);
  const { served } = target;
  checkKind(served, body);
  const meta = (body.metadata ?? {}) as { namespace?: string };
  if (
    served.descriptor.namespaced &&
    meta.namespace !== undefined &&
    meta.namespace !== target.namespace
  )
    throw new StatusError(
      status.badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      ),
    );
  const warnings = fieldWarnings(served, body, options);
  const object = registry.create(
    served,
    { ...body, metadata: { ...meta, namespace: target.namespace } } as KubeObject,
    { dryRun: options.dryRun, manager: options.manager },
  );
  return text(encode(object), 201, warnings);
}

export async function update(
  registry: Registry,
  target: Target,
  request: Request,
  query: URLSearchParams,
): Promise<Response> {
  const options = writeQuery(request, query, "UpdateOptions");
  const body = await readObject(request);
  const { served } = target;
  checkKind(served, body);
  const warnings = fieldWarnings(served, body, options);
  const { object, created } = registry.update(
    served,
    target.namespace,
    target.name as string,
    () => body as KubeObject,
    {
      dryRun: options.dryRun,
      manager: options.manager,
      ...(target.subresource ? { subresource: target.subresource } : {}),
    },
  );
  return text(encode(object), created ? 201 : 200, warnings);
}

const mediaType = (request: Request) =>
  (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

const PATCH_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
];

/** Decodes a patch body: JSON for the three patch types, YAML (a superset of JSON) for apply. */
async function patchBody(request: Request, type: string): Promise<unknown> {
  const raw = await request.text();
  try {
    return type === "application/apply-patch+yaml" ? parseYaml(raw) : JSON.parse(raw);
  } catch (error) {
    throw new StatusError(
      status.badRequest(`error decoding patch: ${(error as Error).message.split("\n")[0]}`),
    );
  }
}

/**
 * Applies a patch of `type` to `live` (or, for apply, creates from nothing). The engines are the
 * patch module's; this only chooses one, as apiserver/pkg/endpoints/handlers/patch.go does.
 */
export function applyPatch(
  served: Served,
  live: KubeObject | undefined,
  type: string,
  patch: unknown,
  options: WriteQuery,
): KubeObject {
  const definition =
    served.definition ?? `${served.descriptor.apiVersion}/${served.descriptor.kind}`;
  switch (type) {
    case "application/json-patch+json":
      return applyJsonPatch(live, patch) as KubeObject;
    case "application/merge-patch+json":
      return applyMergePatch(live, patch) as KubeObject;
    case "application/strategic-merge-patch+json":
      return applyStrategicMergePatch(live, patch, definition) as KubeObject;
    default:
      return serverSideApply(
        live as Record<string, unknown> | undefined,
        patch as Record<string, unknown>,
        { manager: options.manager, force: options.force, definition, now: timestamp() },
      ) as KubeObject;
  }
}

/** The content type of a PATCH, or 415 with the server's list of accepted ones. */
export function patchType(served: Served, request: Request): string {
  const type = mediaType(request);
  const strategicOk =
    served.custom === undefined && supportsStrategicMerge(served.definition ?? "");
  const accepted = strategicOk ? PATCH_TYPES : PATCH_TYPES.filter((t) => !t.includes("strategic"));
  if (!accepted.includes(type))
    throw new StatusError(
      status.failure(
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
        {},
      ),
    );
  return type;
}

export async function patch(
  registry: Registry,
  target: Target,
  request: Request,
  query: URLSearchParams,
): Promise<Response> {
  const { served } = target;
  const type = patchType(served, request);
  const apply = type === "application/apply-patch+yaml";
  const options = writeQuery(request, query, "PatchOptions", apply);
  const body = await patchBody(request, type);
  const name = target.name as string;
  let warnings: string[] = [];
  if (apply) {
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new StatusError(status.badRequest("error decoding YAML: not an object"));
    checkKind(served, body as Record<string, unknown>);
    const meta = ((body as { metadata?: { name?: string } }).metadata ?? {}) as { name?: string };
    if (meta.name !== undefined && meta.name !== name)
      throw new StatusError(
        status.badRequest(
          `the name of the object (${meta.name}) does not match the name on the URL (${name})`,
        ),
      );
    warnings = fieldWarnings(served, body, options);
  }
  const { object, created } = registry.update(
    served,
    target.namespace,
    name,
    (live) => {
      const result = applyPatch(served, live, type, body, options);
      if (!apply) warnings = fieldWarnings(served, result, options);
      return result;
    },
    {
      dryRun: options.dryRun,
      // apply records its own managedFields; the other patches are Updates of the manager.
      ...(apply ? {} : { manager: options.manager }),
      ...(target.subresource ? { subresource: target.subresource } : {}),
      create:
        apply && !target.subresource
          ? () => {
              const created = applyPatch(served, undefined, type, body, options);
              const m = (created.metadata ?? {}) as Record<string, unknown>;
              return {
                ...created,
                apiVersion: served.descriptor.apiVersion,
                kind: served.descriptor.kind,
                metadata: {
                  ...m,
                  name,
                  ...(target.namespace ? { namespace: target.namespace } : {}),
                },
              } as KubeObject;
            }
          : undefined,
    },
  );
  return text(encode(object), created ? 201 : 200, warnings);
}
