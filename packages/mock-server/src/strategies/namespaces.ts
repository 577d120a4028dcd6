// The namespace strategy (pkg/registry/core/namespace/strategy.go and storage.go, v1.28): the
// `kubernetes` finalizer in spec, phase `Active` on create, `Terminating` on delete, the
// `kubernetes.io/metadata.name` label, a status only the status subresource changes.
import type { KubeObject } from "@kin/resources";
import type { Served } from "../discovery/catalogue.js";
import type { Meta } from "../registry/metadata.js";

/** The resource key of namespaces. */
export const NAMESPACES = "/v1/namespaces";

export const isNamespace = (served: Served) =>
  served.descriptor.group === "" && served.descriptor.kind === "Namespace";

/** `PrepareForCreate`: the `kubernetes` finalizer unless given, phase `Active`. */
export function prepareNamespace(object: Record<string, unknown>): void {
  const spec = (object.spec ?? {}) as { finalizers?: string[] };
  object.spec = { ...spec, finalizers: spec.finalizers ?? ["kubernetes"] };
  object.status = { phase: "Active" };
}

/** A seeded namespace keeps what it is given, with the defaults it cannot be without. */
export function defaultSeededNamespace(object: Record<string, unknown>): void {
  object.spec = { finalizers: ["kubernetes"], ...(object.spec as object) };
  object.status = { phase: "Active", ...(object.status as object) };
}

/** The label every namespace carries with its own name (on create and on every update). */
export const withNameLabel = (meta: Meta, name: string): Meta["labels"] => ({
  ...meta.labels,
  "kubernetes.io/metadata.name": name,
});

/** The namespace as deletion marks it: phase `Terminating` until the namespace controller is done. */
export const terminating = (live: KubeObject, marked: KubeObject): KubeObject =>
  ({
    ...marked,
    status: { ...(live as { status?: object }).status, phase: "Terminating" },
  }) as KubeObject;
