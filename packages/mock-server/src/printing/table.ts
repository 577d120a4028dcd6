// Table answers of get, list and watch (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
import type { KubeObject } from "@kin/resources";
import { CRD_KEY } from "../controllers/customResources.js";
import type { Target } from "../http/routing.js";
import type { ObjectStore } from "../registry/store.js";
import { tableRequested, toTable } from "./printers.js";

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
