// The generic registry (apiserver/pkg/registry/generic/registry/store.go, as far as modelled):
// create, update and delete with the server's metadata rules, optimistic concurrency, finalizers,
// graceful pod deletion, a simulated garbage collector and namespace controller. Throws StatusError.
import type { KubeObject } from "@kin/resources";
import type { Catalogue, Served } from "../discovery/catalogue.js";
import * as status from "../http/status.js";
import { StatusError } from "../http/status.js";
import {
  deepEqual,
  hasGeneration,
  hasStatus,
  nameErrors,
  prepareForCreate,
  specOf,
} from "../strategies/strategy.js";
import { generatedName, type Meta, metaOf, newUid, timestamp } from "./metadata.js";
import type { Change, ObjectStore } from "./store.js";

/** Namespaces every cluster starts with. */
export const INITIAL_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
/** Namespaces the NamespaceLifecycle admission plugin refuses to delete. */
const IMMORTAL_NAMESPACES = new Set(["default", "kube-system", "kube-public"]);

export interface WriteOptions {
  /** `dryRun=All`: everything but the write. */
  dryRun?: boolean;
  /** The field manager recorded in managedFields. */
  manager?: string;
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Records managedFields for a write (provided by the patch engines; absent, none are kept). */
export type ManagedFieldsHook = (
  served: Served,
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string,
) => KubeObject;

/** Reacts to writes of special kinds (CustomResourceDefinitions). */
export type ChangeHook = (served: Served, change: Change) => void;

const gr = (served: Served): status.GroupResource => ({
  group: served.descriptor.group,
  resource: served.descriptor.plural,
});

const gk = (served: Served) => ({ group: served.descriptor.group, kind: served.descriptor.kind });

const isNamespace = (served: Served) =>
  served.descriptor.group === "" && served.descriptor.kind === "Namespace";
const isPod = (served: Served) =>
  served.descriptor.group === "" && served.descriptor.kind === "Pod";

/** The resource key of namespaces. */
const NAMESPACES = "/v1/namespaces";

export class Registry {
  /** owner uid → dependents (resource key, namespace, name). */
  readonly #dependents = new Map<string, Map<string, [string, string | undefined, string]>>();
  managedFields: ManagedFieldsHook | undefined;
  readonly #hooks: ChangeHook[] = [];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #liveUids = new Set<string>();

  constructor(
    readonly catalogue: Catalogue,
    readonly store: ObjectStore,
  ) {
    store.subscribe((change) => {
      const uid = metaOf(change.object).uid;
      if (uid && change.type === "DELETED") this.#liveUids.delete(uid);
      else if (uid) this.#liveUids.add(uid);
      this.#index(change);
    });
  }

  readonly #finalizers = new Map<string, (object: KubeObject) => void>();

  /** Registers the controller of a finalizer: it runs when an object carrying it is deleted, then the finalizer is dropped. */
  onFinalize(finalizer: string, run: (object: KubeObject) => void): void {
    this.#finalizers.set(finalizer, run);
  }

  onChange(hook: ChangeHook): void {
    this.#hooks.push(hook);
  }

  /** Cancels pending graceful deletions. */
  dispose(): void {
    for (const t of this.#timers) clearTimeout(t);
  }

  #index(change: Change): void {
    const before = change.previous ? metaOf(change.previous) : undefined;
    const after = change.type === "DELETED" ? undefined : metaOf(change.object);
    const meta = metaOf(change.object);
    const id = `${change.resource}|${meta.namespace ?? ""}|${meta.name}`;
    for (const ref of before?.ownerReferences ?? [])
      this.#dependents.get(ref.uid ?? "")?.delete(id);
    for (const ref of after?.ownerReferences ?? []) {
      const set = this.#dependents.get(ref.uid ?? "") ?? new Map();
      set.set(id, [change.resource, meta.namespace, meta.name ?? ""]);
      this.#dependents.set(ref.uid ?? "", set);
    }
    const served = this.catalogue.byKey(change.resource);
    if (served) for (const hook of this.#hooks) hook(served, change);
  }

  #namespace(name: string): KubeObject | undefined {
    return this.store.get(NAMESPACES, undefined, name);
  }

  /** NamespaceLifecycle admission for a new object. */
  #admitNamespace(served: Served, namespace: string | undefined, name: string): void {
    if (!served.descriptor.namespaced) return;
    const ns = namespace === undefined ? undefined : this.#namespace(namespace);
    if (!ns)
      throw new StatusError(
        status.notFound({ group: "", resource: "namespaces" }, namespace ?? ""),
      );
    if (metaOf(ns).deletionTimestamp !== undefined) {
      // plugin/pkg/admission/namespace/lifecycle/admission.go
      throw new StatusError(
        status.forbiddenObject(
          gr(served),
          name,
          `unable to create new content in namespace ${namespace} because it is being terminated`,
          [
            {
              reason: "NamespaceTerminating",
              message: `namespace ${namespace} is being terminated`,
              field: "metadata.namespace",
            },
          ],
        ),
      );
    }
  }

  /** Validation common to create and update: the name. */
  #validateName(served: Served, meta: Meta, creating: boolean): void {
    const causes: status.FieldCause[] = [];
    if (meta.name === undefined || meta.name === "") {
      if (!creating || !meta.generateName)
        causes.push({
          type: "Required",
          field: "metadata.name",
          detail: "name or generateName is required",
        });
    } else {
      for (const detail of nameErrors(served, meta.name))
        causes.push({ type: "Invalid", field: "metadata.name", value: meta.name, detail });
    }
    if (causes.length > 0)
      throw new StatusError(
        status.invalid(gk(served), meta.name ?? meta.generateName ?? "", causes),
      );
  }

  #validateKind(served: Served, object: KubeObject): void {
    const causes: status.FieldCause[] = [];
    const { group, kind } = served.descriptor;
    const o = object as { spec?: Record<string, unknown> };
    if (group === "" && kind === "Pod") {
      const containers = o.spec?.containers;
      if (!Array.isArray(containers) || containers.length === 0)
        causes.push({ type: "Required", field: "spec.containers" });
    }
    if (group === "apiextensions.k8s.io" && kind === "CustomResourceDefinition") {
      const spec = (o.spec ?? {}) as {
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
    }
    if (causes.length > 0)
      throw new StatusError(status.invalid(gk(served), metaOf(object).name ?? "", causes));
  }

  /**
   * Creates an object. `seed` (tests' fixtures) keeps the status it is given and skips the checks
   * a client would meet only through admission (it still needs a valid name and an existing namespace).
   */
  create(
    served: Served,
    input: KubeObject,
    options: WriteOptions & { seed?: boolean } = {},
  ): KubeObject {
    const object = structuredClone(input) as Record<string, unknown> & KubeObject;
    const meta: Meta = { ...metaOf(object) };
    if (!served.descriptor.namespaced) delete meta.namespace;
    this.#validateName(served, meta, true);
    if (!meta.name) meta.name = generatedName(meta.generateName ?? "");
    const name = meta.name;
    this.#admitNamespace(served, meta.namespace, name);
    if (this.store.get(served.key, meta.namespace, name))
      throw new StatusError(status.alreadyExists(gr(served), name));
    if (meta.resourceVersion && !options.seed)
      throw new StatusError(
        status.internal("resourceVersion should not be set on objects to be created"),
      );
    this.#validateKind(served, object);
    const isCrd = served.key === "apiextensions.k8s.io/v1/customresourcedefinitions";
    if (!options.seed || isCrd) {
      prepareForCreate(served, object);
      const prepared = metaOf(object);
      if (prepared.finalizers) meta.finalizers = prepared.finalizers;
    } else if (isNamespace(served)) {
      object.spec = { finalizers: ["kubernetes"], ...(object.spec as object) };
      object.status = { phase: "Active", ...(object.status as object) };
    }
    if (isNamespace(served)) meta.labels = { ...meta.labels, "kubernetes.io/metadata.name": name };
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = newUid();
    meta.creationTimestamp = timestamp();
    if (hasGeneration(served)) meta.generation = 1;
    else delete meta.generation;
    delete meta.resourceVersion;
    let stored: KubeObject = {
      ...object,
      apiVersion: served.descriptor.apiVersion,
      kind: served.descriptor.kind,
      metadata: meta,
    };
    stored = this.#ordered(stored);
    if (this.managedFields && options.manager !== undefined)
      stored = this.managedFields(served, undefined, stored, options.manager);
    if (options.dryRun) return stored;
    return this.#write(served, stored);
  }

  /** apiVersion, kind, metadata first, as the server's encoder writes them. */
  #ordered(object: KubeObject): KubeObject {
    const { apiVersion, kind, metadata, ...rest } = object;
    return { apiVersion, kind, metadata, ...rest } as KubeObject;
  }

  #write(served: Served, object: KubeObject): KubeObject {
    const meta = { ...metaOf(object), resourceVersion: String(this.store.nextRevision()) };
    const stored = { ...object, metadata: meta };
    this.store.put(served.key, stored);
    return stored;
  }

  /**
   * Updates an object: `next` gets the live object and returns the new one. `subresource` `status`
   * takes only the status; the main resource keeps the live status for kinds with a status subresource.
   * Returns the stored object (the live one when nothing changed: no new resourceVersion).
   */
  update(
    served: Served,
    namespace: string | undefined,
    name: string,
    next: (live: KubeObject) => KubeObject,
    options: WriteOptions & { subresource?: string; create?: (() => KubeObject) | undefined } = {},
  ): { object: KubeObject; created: boolean } {
    const live = this.store.get(served.key, namespace, name);
    if (!live) {
      if (options.create) {
        const object = options.create();
        const m = metaOf(object);
        if (m.resourceVersion) throw new StatusError(status.notFound(gr(served), name));
        return { object: this.create(served, object, options), created: true };
      }
      throw new StatusError(status.notFound(gr(served), name));
    }
    const proposed = structuredClone(next(live)) as Record<string, unknown> & KubeObject;
    const liveMeta = metaOf(live);
    const meta: Meta = { ...metaOf(proposed) };
    if (meta.name !== undefined && meta.name !== name)
      throw new StatusError(
        status.badRequest(
          `the name of the object (${meta.name}) does not match the name on the URL (${name})`,
        ),
      );
    if (
      served.descriptor.namespaced &&
      meta.namespace !== undefined &&
      meta.namespace !== namespace
    )
      throw new StatusError(
        status.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        ),
      );
    if (meta.resourceVersion && meta.resourceVersion !== liveMeta.resourceVersion)
      throw new StatusError(status.conflict(gr(served), name, status.OPTIMISTIC_LOCK_MESSAGE));
    if (meta.uid && meta.uid !== liveMeta.uid)
      throw new StatusError(
        status.conflict(
          gr(served),
          name,
          `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${liveMeta.uid}`,
        ),
      );
    let object: Record<string, unknown>;
    if (options.subresource === "status") {
      // Status strategies copy the spec and metadata from the live object (PrepareForUpdate).
      object = { ...live, status: proposed.status };
      if (proposed.status === undefined) delete object.status;
    } else {
      object = { ...proposed };
      if (hasStatus(served) && !isNamespace(served)) {
        if ("status" in live) object.status = (live as Record<string, unknown>).status;
        else delete object.status;
      }
      if (isNamespace(served)) object.status = (live as Record<string, unknown>).status;
      const nextMeta: Meta = { ...meta };
      for (const key of [
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generation",
        "generateName",
      ] as const) {
        if (liveMeta[key] === undefined) delete nextMeta[key];
        else nextMeta[key] = liveMeta[key] as never;
      }
      nextMeta.name = name;
      if (served.descriptor.namespaced) nextMeta.namespace = namespace;
      else delete nextMeta.namespace;
      if (isNamespace(served))
        nextMeta.labels = { ...nextMeta.labels, "kubernetes.io/metadata.name": name };
      if (nextMeta.managedFields === undefined && liveMeta.managedFields !== undefined)
        nextMeta.managedFields = liveMeta.managedFields;
      object.metadata = nextMeta;
    }
    object.apiVersion = served.descriptor.apiVersion;
    object.kind = served.descriptor.kind;
    this.#validateName(served, metaOf(object), false);
    this.#validateKind(served, object as KubeObject);
    const newMeta = { ...metaOf(object), resourceVersion: liveMeta.resourceVersion } as Meta;
    if (
      hasGeneration(served) &&
      !deepEqual(specOf(served, live), specOf(served, object as KubeObject))
    )
      newMeta.generation = (liveMeta.generation ?? 0) + 1;
    object.metadata = newMeta;
    let result = this.#ordered(object as KubeObject);
    if (this.managedFields && options.manager !== undefined)
      result = this.managedFields(served, live, result, options.manager);
    if (deepEqual(live, result)) return { object: live, created: false };
    if (options.dryRun) return { object: result, created: false };
    // The last finalizer gone from an object being deleted: it goes now.
    if (metaOf(result).deletionTimestamp !== undefined && !metaOf(result).finalizers?.length) {
      if (!(isPod(served) && this.#graceful(live))) {
        const written = this.#write(served, result);
        this.#finish(served, written);
        return { object: written, created: false };
      }
    }
    return { object: this.#write(served, result), created: false };
  }

  #graceful(object: KubeObject): boolean {
    const m = metaOf(object);
    return (m.deletionGracePeriodSeconds ?? 0) > 0;
  }

  /** Removes an object for good, then what depended on it (background cascade). */
  #finish(served: Served, object: KubeObject): KubeObject | undefined {
    const meta = metaOf(object);
    const change = this.store.remove(served.key, meta.namespace, meta.name ?? "");
    if (!change) return undefined;
    this.#collect(meta.uid);
    if (meta.namespace !== undefined) this.#maybeFinalizeNamespace(meta.namespace);
    return change.object;
  }

  /** The garbage collector, run at once: deletes the dependents of a gone owner (background). */
  #collect(uid: string | undefined): void {
    const dependents = uid === undefined ? undefined : this.#dependents.get(uid);
    if (!dependents) return;
    this.#dependents.delete(uid as string);
    for (const [resource, namespace, name] of [...dependents.values()]) {
      const served = this.catalogue.byKey(resource);
      const live = this.store.get(resource, namespace, name);
      if (!served || !live) continue;
      const others = (metaOf(live).ownerReferences ?? []).filter((r) => r.uid !== uid);
      const stillOwned = others.some((r) => this.#exists(r.uid));
      if (stillOwned) continue;
      try {
        this.delete(served, namespace, name, { propagationPolicy: "Background" });
      } catch {
        // already going
      }
    }
  }

  #exists(uid: string | undefined): boolean {
    return uid !== undefined && this.#liveUids.has(uid);
  }

  delete(
    served: Served,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): { object: KubeObject; deleted: boolean } {
    const live = this.store.get(served.key, namespace, name);
    if (!live) throw new StatusError(status.notFound(gr(served), name));
    const meta = metaOf(live);
    const pre = options.preconditions ?? {};
    if (pre.uid !== undefined && pre.uid !== meta.uid)
      throw new StatusError(
        status.conflict(
          gr(served),
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`,
        ),
      );
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion)
      throw new StatusError(
        status.conflict(
          gr(served),
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`,
        ),
      );
    if (isNamespace(served) && IMMORTAL_NAMESPACES.has(name))
      throw new StatusError(
        status.forbiddenObject(gr(served), name, "this namespace may not be deleted"),
      );

    const now = timestamp();
    // Pods on a node are deleted gracefully: the kubelet removes them after the grace period.
    const podGrace =
      isPod(served) && (live as { spec?: { nodeName?: string } }).spec?.nodeName
        ? (options.gracePeriodSeconds ??
          (live as { spec?: { terminationGracePeriodSeconds?: number } }).spec
            ?.terminationGracePeriodSeconds ??
          30)
        : 0;
    const finalizers = [...(meta.finalizers ?? [])];
    const policy = options.propagationPolicy ?? "Background";
    if (meta.deletionTimestamp === undefined) {
      if (policy === "Foreground" && !finalizers.includes("foregroundDeletion"))
        finalizers.push("foregroundDeletion");
      if (policy === "Orphan" && !finalizers.includes("orphan")) finalizers.push("orphan");
    }
    const namespaceFinalizing = isNamespace(served);

    if (finalizers.length === 0 && podGrace <= 0 && !namespaceFinalizing) {
      if (options.dryRun) return { object: live, deleted: true };
      const gone = this.#finish(served, live) ?? live;
      return { object: gone, deleted: true };
    }
    if (meta.deletionTimestamp !== undefined && podGrace <= 0 && finalizers.length === 0) {
      if (options.dryRun) return { object: live, deleted: true };
      return { object: this.#finish(served, live) ?? live, deleted: true };
    }
    // Deferred: mark the object and let finalizers (or the kubelet) finish it.
    const newMeta: Meta = { ...meta, finalizers };
    if (finalizers.length === 0) delete newMeta.finalizers;
    if (meta.deletionTimestamp === undefined) {
      newMeta.deletionTimestamp =
        podGrace > 0 ? timestamp(new Date(Date.now() + podGrace * 1000)) : now;
      newMeta.deletionGracePeriodSeconds = Math.max(podGrace, 0);
      if (meta.generation !== undefined) newMeta.generation = meta.generation + 1;
    }
    let marked: KubeObject = { ...live, metadata: newMeta };
    if (namespaceFinalizing)
      marked = {
        ...marked,
        status: { ...(live as { status?: object }).status, phase: "Terminating" },
      } as KubeObject;
    if (options.dryRun) return { object: marked, deleted: false };
    if (!deepEqual(marked, live)) marked = this.#write(served, marked);
    const answer = marked;
    if (podGrace > 0) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        const current = this.store.get(served.key, namespace, name);
        if (current && metaOf(current).uid === meta.uid && !metaOf(current).finalizers?.length)
          this.#finish(served, current);
      }, podGrace * 1000);
      timer.unref?.();
      this.#timers.add(timer);
    }
    this.#runFinalizers(served, marked);
    return { object: answer, deleted: false };
  }

  /** What the garbage collector and namespace controller do for `foregroundDeletion`, `orphan` and namespaces. */
  #runFinalizers(served: Served, object: KubeObject): void {
    const meta = metaOf(object);
    const fin = meta.finalizers ?? [];
    const dependents = [...(this.#dependents.get(meta.uid ?? "")?.values() ?? [])];
    if (fin.includes("orphan")) {
      for (const [resource, ns, n] of dependents) {
        const s = this.catalogue.byKey(resource);
        const d = this.store.get(resource, ns, n);
        if (!s || !d) continue;
        const refs = (metaOf(d).ownerReferences ?? []).filter((r) => r.uid !== meta.uid);
        const m: Meta = { ...metaOf(d), ownerReferences: refs };
        if (refs.length === 0) delete m.ownerReferences;
        this.#write(s, { ...d, metadata: m });
      }
      this.#dropFinalizer(served, object, "orphan");
    } else if (fin.includes("foregroundDeletion")) {
      for (const [resource, ns, n] of dependents) {
        const s = this.catalogue.byKey(resource);
        if (!s || !this.store.get(resource, ns, n)) continue;
        try {
          this.delete(s, ns, n, { propagationPolicy: "Foreground" });
        } catch {
          // already gone
        }
      }
      const left = [...(this.#dependents.get(meta.uid ?? "")?.values() ?? [])].some(
        ([r, ns, n]) => this.store.get(r, ns, n) !== undefined,
      );
      if (!left) this.#dropFinalizer(served, object, "foregroundDeletion");
    }
    for (const [finalizer, run] of this.#finalizers) {
      if (!fin.includes(finalizer)) continue;
      run(object);
      this.#dropFinalizer(served, object, finalizer);
    }
    if (isNamespace(served)) this.#maybeFinalizeNamespace(meta.name ?? "", true);
  }

  #dropFinalizer(served: Served, object: KubeObject, finalizer: string): void {
    const meta = metaOf(object);
    const current = this.store.get(served.key, meta.namespace, meta.name ?? "");
    if (!current) return;
    const cm = metaOf(current);
    const finalizers = (cm.finalizers ?? []).filter((f) => f !== finalizer);
    const m: Meta = { ...cm, finalizers };
    if (finalizers.length === 0) delete m.finalizers;
    const written = this.#write(served, { ...current, metadata: m });
    if (finalizers.length === 0 && !this.#graceful(written)) this.#finish(served, written);
  }

  /** The namespace controller: empties a terminating namespace, then removes it. */
  #maybeFinalizeNamespace(name: string, purge = false): void {
    const ns = this.#namespace(name);
    if (!ns || metaOf(ns).deletionTimestamp === undefined) return;
    let left = false;
    for (const group of this.catalogue.groups()) {
      for (const version of group.versions) {
        for (const served of this.catalogue.resources(group.name, version)) {
          if (!served.descriptor.namespaced) continue;
          for (const { object } of this.store.list(served.key, name)) {
            if (purge && metaOf(object).deletionTimestamp === undefined) {
              try {
                this.delete(served, name, metaOf(object).name ?? "", {});
              } catch {
                // gone meanwhile
              }
            }
            if (this.store.get(served.key, name, metaOf(object).name ?? "")) left = true;
          }
        }
      }
    }
    if (left) return;
    const current = this.#namespace(name);
    if (!current) return;
    const served = this.catalogue.byKey(NAMESPACES) as Served;
    const spec = { ...(current as { spec?: { finalizers?: string[] } }).spec, finalizers: [] };
    if (metaOf(current).finalizers?.length) {
      this.#write(served, { ...current, spec } as KubeObject);
      return;
    }
    this.store.remove(NAMESPACES, undefined, name);
  }
}
