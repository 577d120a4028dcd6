// delete and deletecollection: DeleteOptions from the body or the query (propagationPolicy,
// gracePeriodSeconds, preconditions, dryRun, the deprecated orphanDependents), answers as
// apiserver/pkg/endpoints/handlers/delete.go writes them.
import { writeQuery } from "../http/requests.js";
import { encode, encodeItem, text } from "../http/responses.js";
import type { Target } from "../http/routing.js";
import * as status from "../http/status.js";
import { StatusError } from "../http/status.js";
import type { DeleteOptions, Registry } from "../registry/registry.js";
import { selection } from "../registry/selectors.js";

async function deleteOptions(request: Request, query: URLSearchParams): Promise<DeleteOptions> {
  const raw = request.body ? await request.text() : "";
  let body: Record<string, unknown> = {};
  if (raw.trim() !== "") {
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch (error) {
      throw new StatusError(status.badRequest((error as Error).message));
    }
  }
  const w = writeQuery(request, query, "DeleteOptions");
  const policy = (body.propagationPolicy ?? query.get("propagationPolicy") ?? undefined) as
    | string
    | undefined;
  const orphan = body.orphanDependents ?? query.get("orphanDependents");
  const causes: status.FieldCause[] = [];
  if (policy !== undefined && !["Orphan", "Background", "Foreground"].includes(policy))
    causes.push({
      type: "NotSupported",
      field: "propagationPolicy",
      value: policy,
      supported: ["Foreground", "Background", "Orphan", "nil"],
    });
  if (policy !== undefined && orphan !== null && orphan !== undefined)
    causes.push({
      type: "Invalid",
      field: "propagationPolicy",
      value: policy,
      detail: "orphanDependents and deletionPropagation cannot be both set",
    });
  const grace = body.gracePeriodSeconds ?? query.get("gracePeriodSeconds");
  const bodyDryRun = Array.isArray(body.dryRun) && body.dryRun.length > 0;
  if (causes.length > 0) throw new StatusError(status.invalidOptions("DeleteOptions", causes));
  const effective =
    policy ??
    (orphan === true || orphan === "true"
      ? "Orphan"
      : orphan === false || orphan === "false"
        ? "Background"
        : undefined);
  return {
    dryRun: w.dryRun || bodyDryRun,
    ...(effective ? { propagationPolicy: effective as DeleteOptions["propagationPolicy"] } : {}),
    ...(grace !== null && grace !== undefined ? { gracePeriodSeconds: Number(grace) } : {}),
    ...(body.preconditions
      ? { preconditions: body.preconditions as DeleteOptions["preconditions"] }
      : {}),
  };
}

const returnsObject = (target: Target) =>
  target.served.descriptor.group === "" && target.served.descriptor.kind === "Pod";

export async function remove(
  registry: Registry,
  target: Target,
  request: Request,
  query: URLSearchParams,
): Promise<Response> {
  const options = await deleteOptions(request, query);
  const name = target.name as string;
  const { object, deleted } = registry.delete(target.served, target.namespace, name, options);
  // Pending deletions (finalizers, graceful pods, namespaces) answer with the object; immediate
  // ones with the object only where the registry sets ReturnDeletedObject (pods), else a Success Status.
  if (!deleted || returnsObject(target)) return text(encode(object));
  const d = target.served.descriptor;
  return text(
    JSON.stringify(
      status.deleted({ group: d.group, resource: d.plural }, name, object.metadata?.uid),
    ),
  );
}

export async function removeCollection(
  registry: Registry,
  target: Target,
  request: Request,
  query: URLSearchParams,
): Promise<Response> {
  const options = await deleteOptions(request, query);
  const { predicate } = selection(target.served, query);
  const entries = registry.store
    .list(target.served.key, target.namespace)
    .filter((e) => !predicate || predicate(e.object));
  const items: string[] = [];
  for (const { object } of entries) {
    try {
      const result = registry.delete(
        target.served,
        object.metadata?.namespace,
        object.metadata?.name ?? "",
        options,
      );
      items.push(encodeItem(result.object));
    } catch (error) {
      if (!(error instanceof StatusError) || error.status.code !== 404) throw error;
    }
  }
  const d = target.served.descriptor;
  const head = JSON.stringify({
    kind: d.listKind ?? `${d.kind}List`,
    apiVersion: d.apiVersion,
    metadata: { resourceVersion: String(registry.store.revision) },
  });
  return text(`${head.slice(0, -1)},"items":[${items.join(",")}]}`);
}
