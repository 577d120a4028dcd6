// Server-side printing: `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` answers a meta.k8s.io
// Table, as `kubectl get` asks (apiserver/pkg/endpoints/handlers/response.go transformObject), for
// get, list and watch. The columns are the printers' (printers.ts).
import type { KubeObject } from "@kin/resources";
import type { Served } from "../discovery/catalogue.js";
import type { Target } from "../http/routing.js";
import * as status from "../http/status.js";
import { StatusError } from "../http/status.js";
import type { ObjectStore } from "../registry/store.js";
import { CRD_KEY } from "../strategies/crds.js";
import { type Obj, printerFor } from "./printers.js";

/** The Table apiVersion the request asks for (`meta.k8s.io/v1` or `v1beta1`), or undefined. */
function tableRequested(accept: string | null): string | undefined {
  if (!accept) return undefined;
  for (const range of accept.split(",")) {
    const [type = "", ...params] = range.split(";").map((s) => s.trim());
    const p = new Map(
      params.map((x) => {
        const [k = "", v = ""] = x.split("=");
        return [k.trim(), v.trim()];
      }),
    );
    if (!p.has("as")) {
      // A plain media type first: the client prefers the object.
      if (["application/json", "application/*", "*/*", "application/yaml"].includes(type))
        return undefined;
      continue;
    }
    if (p.get("as") === "Table" && p.get("g") === "meta.k8s.io") {
      const v = p.get("v");
      if (v === "v1" || v === "v1beta1") return `meta.k8s.io/${v}`;
    }
  }
  return undefined;
}

/** `includeObject`: None, Metadata (default) or Object; 400 otherwise (TableOptions validation). */
function includeObject(query: URLSearchParams): "None" | "Metadata" | "Object" {
  const v = query.get("includeObject") ?? "";
  if (v === "") return "Metadata";
  if (v === "None" || v === "Metadata" || v === "Object") return v;
  throw new StatusError(
    status.badRequest(`includeObject must be one of None, Metadata or Object, not "${v}"`),
  );
}

const rowObject = (o: KubeObject, include: "None" | "Metadata" | "Object", served: Served) => {
  if (include === "None") return undefined;
  if (include === "Object")
    return { apiVersion: served.descriptor.apiVersion, kind: served.descriptor.kind, ...o };
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
};

/** A Table of `objects` (a list's items, a single object, or a watch event's object). */
function toTable(
  apiVersion: string,
  served: Served,
  objects: readonly KubeObject[],
  query: URLSearchParams,
  metadata: Record<string, unknown> = {},
  crd?: Obj,
): Record<string, unknown> {
  const include = includeObject(query);
  const printer = printerFor(served, crd);
  return {
    kind: "Table",
    apiVersion,
    metadata,
    columnDefinitions: printer.columns,
    rows: objects.map((o) => {
      const object = rowObject(o, include, served);
      return { cells: printer.cells(o as Obj), ...(object ? { object } : {}) };
    }),
  };
}

/** The encoded Table of `objects` when the request asks for one; undefined otherwise. */
export function tableOf(
  store: ObjectStore,
  target: Target,
  accept: string | null,
  query: URLSearchParams,
  objects: readonly KubeObject[],
  metadata: Record<string, unknown> = {},
): string | undefined {
  const apiVersion = tableRequested(accept);
  if (!apiVersion) return undefined;
  const custom = target.served.custom;
  const crd = custom ? store.get(CRD_KEY, undefined, custom.crd) : undefined;
  return JSON.stringify(
    toTable(apiVersion, target.served, objects, query, metadata, crd as Record<string, unknown>),
  );
}

/** A watch stream whose ADDED/MODIFIED/DELETED objects become one-row Tables. */
export function tableWatch(
  store: ObjectStore,
  target: Target,
  accept: string | null,
  query: URLSearchParams,
  body: ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  if (!tableRequested(accept)) return body;
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = "";
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        pending += decoder.decode(chunk, { stream: true });
        let newline = pending.indexOf("\n");
        while (newline >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          const event = JSON.parse(line) as { type: string; object: KubeObject };
          if (["ADDED", "MODIFIED", "DELETED"].includes(event.type)) {
            const table = tableOf(store, target, accept, query, [event.object]) as string;
            controller.enqueue(encoder.encode(`{"type":"${event.type}","object":${table}}\n`));
          } else controller.enqueue(encoder.encode(`${line}\n`));
          newline = pending.indexOf("\n");
        }
      },
    }),
  );
}
