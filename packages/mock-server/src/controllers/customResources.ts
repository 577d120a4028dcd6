// The controllers of CustomResourceDefinitions (apiextensions-apiserver's establishing, finalizer
// and serving controllers, run at once): an established CRD serves its resource in every served
// version (CRUD, status/scale subresources when declared, watch, discovery); deleting one deletes its
// objects (the customresourcecleanup finalizer's work) and stops serving it. What a CRD object itself
// is allowed to be is its strategy's (strategies/crds.ts). Plugged in through the registry's hooks.
import { descriptorsFromCustomResourceDefinition } from "@kin/resources";
import { resourceKey, type Served } from "../discovery/catalogue.js";
import type { Registry } from "../registry/registry.js";
import type { WatchHub } from "../registry/watchHub.js";
import { CLEANUP_FINALIZER, CRD_KEY, type Crd } from "../strategies/crds.js";

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
export function serveCustomResources(registry: Registry, hub: WatchHub): void {
  const { catalogue, store } = registry;
  const servedBy = new Map<string, string[]>();
  const unserve = (crdName: string, keep: Set<string>) => {
    for (const key of servedBy.get(crdName) ?? []) {
      if (keep.has(key)) continue;
      catalogue.remove(key);
      hub.closeResource(key);
      store.drop(key);
    }
  };
  registry.onChange((change) => {
    if (change.resource !== CRD_KEY) return;
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
  registry.onFinalize(CLEANUP_FINALIZER, (_served, crd) => {
    // The finalizer controller: delete every custom object of the CRD, then let it go.
    for (const key of servedBy.get(crd.metadata?.name ?? "") ?? []) {
      for (const { object } of store.list(key)) {
        store.remove(key, object.metadata?.namespace, object.metadata?.name ?? "");
      }
    }
    return true;
  });
}
