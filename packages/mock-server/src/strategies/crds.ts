// The CustomResourceDefinition strategy (apiextensions-apiserver/pkg/registry/customresourcedefinition,
// v1.28), as far as modelled: required fields, the name `<plural>.<group>`, one storage version; a new
// CRD carries the cleanup finalizer and is established at once (the controllers that serve it are in
// controllers/customResources.ts).
import type { CustomResourceDefinition, KubeObject } from "@kin/resources";
import type { Served } from "../discovery/catalogue.js";
import type { FieldCause } from "../http/status.js";
import { metaOf, timestamp } from "../registry/metadata.js";

/** The resource key of CustomResourceDefinitions. */
export const CRD_KEY = "apiextensions.k8s.io/v1/customresourcedefinitions";
/** The finalizer whose controller deletes a CRD's objects before the CRD goes. */
export const CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

export type Crd = CustomResourceDefinition & KubeObject;

export const isCrd = (served: Served) =>
  served.descriptor.group === "apiextensions.k8s.io" &&
  served.descriptor.kind === "CustomResourceDefinition";

/** The status the apiextensions controllers give a new CRD: names accepted, established. */
export function establishedStatus(crd: Crd, now: string): Record<string, unknown> {
  const spec = crd.spec;
  const condition = (type: string, reason: string, message: string) => ({
    type,
    status: "True",
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    conditions: [
      condition("NamesAccepted", "NoConflicts", "no conflicts found"),
      condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
    ],
    acceptedNames: {
      ...spec.names,
      singular: spec.names.singular || spec.names.kind.toLowerCase(),
      listKind: spec.names.listKind || `${spec.names.kind}List`,
    },
    storedVersions: spec.versions.filter((v) => v.storage).map((v) => v.name),
  };
}

/** `PrepareForCreate`: the cleanup finalizer, and established at once. */
export function prepareCrd(object: Record<string, unknown>): void {
  const meta = (object.metadata ?? {}) as { finalizers?: string[] };
  if (!meta.finalizers?.includes(CLEANUP_FINALIZER))
    object.metadata = { ...meta, finalizers: [...(meta.finalizers ?? []), CLEANUP_FINALIZER] };
  object.status = establishedStatus(object as never, timestamp());
}

/** `ValidateCustomResourceDefinition`, the part modelled. */
export function crdErrors(object: KubeObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const spec = ((object as { spec?: unknown }).spec ?? {}) as {
    group?: string;
    names?: { plural?: string; kind?: string };
    versions?: { name?: string; served?: boolean; storage?: boolean }[];
  };
  const name = metaOf(object).name;
  if (!spec.group) causes.push({ type: "Required", field: "spec.group" });
  if (!spec.names?.plural) causes.push({ type: "Required", field: "spec.names.plural" });
  if (!spec.names?.kind) causes.push({ type: "Required", field: "spec.names.kind" });
  if (!spec.versions?.length) causes.push({ type: "Required", field: "spec.versions" });
  else if (spec.versions.filter((v) => v.storage).length !== 1)
    causes.push({
      type: "Invalid",
      field: "spec.versions",
      value: spec.versions,
      detail: "must have exactly one version marked as storage version",
    });
  if (spec.group && spec.names?.plural && name !== `${spec.names.plural}.${spec.group}`)
    causes.push({
      type: "Invalid",
      field: "metadata.name",
      value: name,
      detail: 'must be spec.names.plural+"."+spec.group',
    });
  return causes;
}
