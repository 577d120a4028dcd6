// The garbage collector (pkg/controller/garbagecollector), run at once rather than eventually: when an
// owner goes, its dependents go too (background) unless another live owner holds them; the `orphan`
// finalizer removes the owner's references from its dependents first; `foregroundDeletion` deletes the
// dependents first and lets the owner go when none is left. Plugged in through the registry's hooks.
import type { KubeObject } from "@kin/resources";
import type { Served } from "../discovery/catalogue.js";
import { type Meta, metaOf } from "../registry/metadata.js";
import type { Registry } from "../registry/registry.js";

/** A dependent: resource key, namespace, name. */
type Dependent = [string, string | undefined, string];

export function garbageCollector(registry: Registry): void {
  const { catalogue, store } = registry;
  /** owner uid → dependents, by `resource|namespace|name`. */
  const dependents = new Map<string, Map<string, Dependent>>();
  const liveUids = new Set<string>();
  const exists = (uid: string | undefined) => uid !== undefined && liveUids.has(uid);
  const of = (owner: KubeObject) => [...(dependents.get(metaOf(owner).uid ?? "")?.values() ?? [])];

  // The graph: who owns whom, from every change.
  registry.onChange((change) => {
    const uid = metaOf(change.object).uid;
    if (uid && change.type === "DELETED") liveUids.delete(uid);
    else if (uid) liveUids.add(uid);
    const before = change.previous ? metaOf(change.previous) : undefined;
    const after = change.type === "DELETED" ? undefined : metaOf(change.object);
    const meta = metaOf(change.object);
    const id = `${change.resource}|${meta.namespace ?? ""}|${meta.name}`;
    for (const ref of before?.ownerReferences ?? []) dependents.get(ref.uid ?? "")?.delete(id);
    for (const ref of after?.ownerReferences ?? []) {
      const set = dependents.get(ref.uid ?? "") ?? new Map();
      set.set(id, [change.resource, meta.namespace, meta.name ?? ""]);
      dependents.set(ref.uid ?? "", set);
    }
  });

  // Background: an owner gone for good takes the dependents no other live owner holds.
  registry.onRemoved((_served: Served, owner: KubeObject) => {
    const uid = metaOf(owner).uid;
    const held = uid === undefined ? undefined : dependents.get(uid);
    if (!held) return;
    dependents.delete(uid as string);
    for (const [resource, namespace, name] of [...held.values()]) {
      const served = catalogue.byKey(resource);
      const live = store.get(resource, namespace, name);
      if (!served || !live) continue;
      const others = (metaOf(live).ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (others.some((r) => exists(r.uid))) continue;
      try {
        registry.delete(served, namespace, name, { propagationPolicy: "Background" });
      } catch {
        // already going
      }
    }
  });

  registry.onFinalize("orphan", (_served, owner) => {
    const uid = metaOf(owner).uid;
    for (const [resource, ns, n] of of(owner)) {
      const s = catalogue.byKey(resource);
      const d = store.get(resource, ns, n);
      if (!s || !d) continue;
      const refs = (metaOf(d).ownerReferences ?? []).filter((r) => r.uid !== uid);
      const m: Meta = { ...metaOf(d), ownerReferences: refs };
      if (refs.length === 0) delete m.ownerReferences;
      registry.write(s, { ...d, metadata: m });
    }
    return true;
  });

  registry.onFinalize("foregroundDeletion", (_served, owner) => {
    // `orphan` wins when an owner carries both; this one waits for a later deletion.
    if (metaOf(owner).finalizers?.includes("orphan")) return false;
    for (const [resource, ns, n] of of(owner)) {
      const s = catalogue.byKey(resource);
      if (!s || !store.get(resource, ns, n)) continue;
      try {
        registry.delete(s, ns, n, { propagationPolicy: "Foreground" });
      } catch {
        // already gone
      }
    }
    return !of(owner).some(([r, ns, n]) => store.get(r, ns, n) !== undefined);
  });
}
