// CustomResourceDefinitions: an established CRD serves its resource in every served version
// (CRUD, status/scale subresources when declared, watch, discovery); deleting one deletes its objects
// (the customresourcecleanup finalizer's work) and stops serving it.
import {
  type CustomResourceDefinition,
  descriptorsFromCustomResourceDefinition,
  type KubeObject,
} from "@kin/resources";
import { type Catalogue, resourceKey, type Served } from "../discovery/catalogue.js";
import type { Registry } from "../registry/registry.js";
import type { Change, ObjectStore } from "../registry/store.js";
import type { WatchHub } from "../registry/watchHub.js";

export const CRD_KEY = "apiextensions.k8s.io/v1/customresourcedefinitions";
export const CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

type Crd = CustomResourceDefinition & KubeObject;

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

function servedOf(crd: Crd): Served[] {
  const byVersion = new Map(crd.spec.versions.map((v) => [v.name, v]));
  return descriptorsFromCustomResourceDefinition(crd).map((descriptor) => {
    const version = byVersion.get(descriptor.version);
    const scale = version?.subresources?.scale;
    const schema = version?.schema?.openAPIV3Schema as Record<string, unknown> | undefined;
    return {
      descriptor,
      key: resourceKey(descriptor.group, descriptor.version, descriptor.plural),
      custom: {
        crd: crd.metadata?.name ?? "",
        ...(schema ? { schema } : {}),
        ...(scale
          ? {
              scale: {
                specReplicasPath: scale.specReplicasPath,
                statusReplicasPath: scale.statusReplicasPath,
                ...(scale.labelSelectorPath ? { labelSelectorPath: scale.labelSelectorPath } : {}),
              },
            }
          : {}),
      },
    };
  });
}

/** Wires CRDs into the catalogue: served on ADDED/MODIFIED, gone on DELETED. */
export function serveCustomResources(
  catalogue: Catalogue,
  store: ObjectStore,
  registry: Registry,
  hub: WatchHub,
): void {
  const servedBy = new Map<string, string[]>();
  const unserve = (crdName: string, keep: Set<string>) => {
    for (const key of servedBy.get(crdName) ?? []) {
      if (keep.has(key)) continue;
      catalogue.remove(key);
      hub.closeResource(key);
      store.drop(key);
    }
  };
  registry.onChange((served: Served, change: Change) => {
    if (served.key !== CRD_KEY) return;
    const crd = change.object as Crd;
    const name = crd.metadata?.name ?? "";
    if (change.type === "DELETED") {
      unserve(name, new Set());
      servedBy.delete(name);
      return;
    }
    const list = servedOf(crd);
    unserve(name, new Set(list.map((s) => s.key)));
    for (const s of list) catalogue.add(s);
    servedBy.set(
      name,
      list.map((s) => s.key),
    );
  });
  registry.onFinalize(CLEANUP_FINALIZER, (crd) => {
    // The finalizer controller: delete every custom object of the CRD, then let it go.
    for (const key of servedBy.get(crd.metadata?.name ?? "") ?? []) {
      for (const { object } of store.list(key)) {
        store.remove(key, object.metadata?.namespace, object.metadata?.name ?? "");
      }
    }
  });
}
