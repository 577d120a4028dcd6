// The scale subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets, StatefulSets,
// ReplicationControllers and custom resources that declare one (registry/apps/deployment/storage/storage.go
// ScaleREST; apiextensions-apiserver/pkg/registry/customresource/etcd.go for specReplicasPath & co).
import { fieldValue, type KubeObject, labelSelectorFromObject } from "@kin/resources";
import { groupResource, type Served } from "../discovery/catalogue.js";
import { readObject, writeQuery } from "../http/requests.js";
import { encode, text } from "../http/responses.js";
import type { Target } from "../http/routing.js";
import * as status from "../http/status.js";
import { StatusError } from "../http/status.js";
import type { Registry } from "../registry/registry.js";
import { applyPatch, patchType } from "./write.js";

const SCALE_SERVED = (target: Target): Served => ({
  descriptor: {
    group: "autoscaling",
    version: "v1",
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    plural: target.served.descriptor.plural,
    namespaced: target.served.descriptor.namespaced,
  },
  key: "autoscaling/v1/scale",
  definition: "io.k8s.api.autoscaling.v1.Scale",
});

function paths(served: Served) {
  const custom = served.custom?.scale;
  return {
    spec: (custom?.specReplicasPath ?? ".spec.replicas").replace(/^\./, ""),
    status: (custom?.statusReplicasPath ?? ".status.replicas").replace(/^\./, ""),
    selector: custom?.labelSelectorPath?.replace(/^\./, ""),
  };
}

function toScale(served: Served, object: KubeObject): Record<string, unknown> {
  const p = paths(served);
  const m = object.metadata ?? {};
  let selector: string | undefined;
  if (p.selector !== undefined) selector = fieldValue(object, p.selector) || undefined;
  else {
    const s = (object as { spec?: { selector?: unknown } }).spec?.selector;
    if (s && typeof s === "object") selector = labelSelectorFromObject(s as never);
  }
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: Number(fieldValue(object, p.spec) || 0) },
    status: {
      replicas: Number(fieldValue(object, p.status) || 0),
      ...(selector ? { selector } : {}),
    },
  };
}

function setPath(
  object: Record<string, unknown>,
  path: string,
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = path.split(".");
  const key = head as string;
  if (rest.length === 0) return { ...object, [key]: value };
  const child = (object[key] ?? {}) as Record<string, unknown>;
  return { ...object, [key]: setPath(child, rest.join("."), value) };
}

export function getScale(registry: Registry, target: Target): Response {
  const live = registry.store.get(target.served.key, target.namespace, target.name as string);
  if (!live)
    throw new StatusError(status.notFound(groupResource(target.served), target.name as string));
  return text(JSON.stringify(toScale(target.served, live)));
}

export async function writeScale(
  registry: Registry,
  target: Target,
  request: Request,
  query: URLSearchParams,
  method: "PUT" | "PATCH",
): Promise<Response> {
  const { served } = target;
  const name = target.name as string;
  let type = "";
  if (method === "PATCH") type = patchType(SCALE_SERVED(target), request);
  const options = writeQuery(
    request,
    query,
    method === "PUT" ? "UpdateOptions" : "PatchOptions",
    type.includes("apply"),
  );
  const body =
    method === "PUT"
      ? await readObject(request)
      : type.includes("apply")
        ? (await import("yaml")).parse(await request.text())
        : JSON.parse(await request.text());
  const { object } = registry.update(
    served,
    target.namespace,
    name,
    (live) => {
      const current = toScale(served, live);
      const scale = (
        method === "PUT"
          ? body
          : applyPatch(SCALE_SERVED(target), current as KubeObject, type, body, options)
      ) as {
        metadata?: { resourceVersion?: string };
        spec?: { replicas?: number };
      };
      const replicas = scale.spec?.replicas;
      if (typeof replicas !== "number" || replicas < 0)
        throw new StatusError(
          status.invalid({ group: "autoscaling", kind: "Scale" }, name, [
            {
              type: "Invalid",
              field: "spec.replicas",
              value: replicas ?? null,
              detail: "must be greater than or equal to 0",
            },
          ]),
        );
      const next = setPath(
        live as Record<string, unknown>,
        paths(served).spec,
        replicas,
      ) as KubeObject;
      const rv = scale.metadata?.resourceVersion;
      return {
        ...next,
        metadata: { ...next.metadata, resourceVersion: rv || live.metadata?.resourceVersion },
      } as KubeObject;
    },
    { dryRun: options.dryRun, manager: options.manager },
  );
  return text(JSON.stringify(toScale(served, object)));
}

export { encode };
