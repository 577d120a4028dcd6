// Namespace lifecycle: the NamespaceLifecycle admission plugin
// (plugin/pkg/admission/namespace/lifecycle/admission.go: new objects need a namespace that exists and
// is not terminating; `default`, `kube-system`, `kube-public` may not be deleted) and the namespace
// controller (pkg/controller/namespace, run at once): a terminating namespace is emptied, then removed.
// Plugged in through the registry's admission, deleting and removed hooks.
import type { KubeObject } from "@kin/resources";
import { groupResource, type Served } from "../discovery/catalogue.js";
import * as status from "../http/status.js";
import { StatusError } from "../http/status.js";
import { metaOf } from "../registry/metadata.js";
import type { Registry } from "../registry/registry.js";
import { isNamespace, NAMESPACES } from "../strategies/namespaces.js";

/** Namespaces every cluster starts with. */
export const INITIAL_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
/** Namespaces the NamespaceLifecycle admission plugin refuses to delete. */
const IMMORTAL_NAMESPACES = new Set(["default", "kube-system", "kube-public"]);

export function namespaceLifecycle(registry: Registry): void {
  const { catalogue, store } = registry;
  const namespace = (name: string) => store.get(NAMESPACES, undefined, name);

  registry.admit({
    create(served, ns, name) {
      if (!served.descriptor.namespaced) return;
      const found = ns === undefined ? undefined : namespace(ns);
      if (!found)
        throw new StatusError(status.notFound({ group: "", resource: "namespaces" }, ns ?? ""));
      if (metaOf(found).deletionTimestamp !== undefined) {
        throw new StatusError(
          status.forbiddenObject(
            groupResource(served),
            name,
            `unable to create new content in namespace ${ns} because it is being terminated`,
            [
              {
                reason: "NamespaceTerminating",
                message: `namespace ${ns} is being terminated`,
                field: "metadata.namespace",
              },
            ],
          ),
        );
      }
    },
    delete(served, name) {
      if (isNamespace(served) && IMMORTAL_NAMESPACES.has(name))
        throw new StatusError(
          status.forbiddenObject(groupResource(served), name, "this namespace may not be deleted"),
        );
    },
  });

  /** The namespace controller: empties a terminating namespace (`purge`: deletes what is left), then removes it. */
  function finalize(name: string, purge = false): void {
    const ns = namespace(name);
    if (!ns || metaOf(ns).deletionTimestamp === undefined) return;
    let left = false;
    for (const group of catalogue.groups()) {
      for (const version of group.versions) {
        for (const served of catalogue.resources(group.name, version)) {
          if (!served.descriptor.namespaced) continue;
          for (const { object } of store.list(served.key, name)) {
            if (purge && metaOf(object).deletionTimestamp === undefined) {
              try {
                registry.delete(served, name, metaOf(object).name ?? "", {});
              } catch {
                // gone meanwhile
              }
            }
            if (store.get(served.key, name, metaOf(object).name ?? "")) left = true;
          }
        }
      }
    }
    if (left) return;
    const current = namespace(name);
    if (!current) return;
    const served = catalogue.byKey(NAMESPACES) as Served;
    const spec = { ...(current as { spec?: { finalizers?: string[] } }).spec, finalizers: [] };
    if (metaOf(current).finalizers?.length) {
      registry.write(served, { ...current, spec } as KubeObject);
      return;
    }
    store.remove(NAMESPACES, undefined, name);
  }

  // A namespace marked for deletion: delete its contents now.
  registry.onDeleting((served, object) => {
    if (isNamespace(served)) finalize(metaOf(object).name ?? "", true);
  });
  // The last object of a terminating namespace gone: the namespace goes.
  registry.onRemoved((_served, object) => {
    const ns = metaOf(object).namespace;
    if (ns !== undefined) finalize(ns);
  });
}
