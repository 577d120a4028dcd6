// The generic registry (apiserver/pkg/registry/generic/registry/store.go, as far as modelled):
// create, update and delete with the server's metadata rules, optimistic concurrency, dry run,
// finalizers and graceful deletion. What differs per kind is the strategies' (strategies/); what
// happens around writes (garbage collector, namespace lifecycle, custom resources) is the
// controllers' (controllers/), plugged in through the hooks below. Throws StatusError.
import type { KubeObject } from "@kin/resources";
import { type Catalogue, groupKind, groupResource, type Served } from "../discovery/catalogue.js";
import * as status from "../http/status.js";
import { StatusError } from "../http/status.js";
import { deepEqual } from "../patch/json.js";
import {
  deletionDeferred,
  gracePeriod,
  hasGeneration,
  keepStatus,
  markedForDeletion,
  nameErrors,
  prepareForCreate,
  setServerLabels,
  specOf,
  validate,
} from "../strategies/strategy.js";
import { generatedName, type Meta, metaOf, newUid, timestamp } from "./metadata.js";
import type { Change, ObjectStore } from "./store.js";

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

/** Sees every change the store records, in order. */
export type ChangeHook = (change: Change) => void;

/** A finalizer's controller, run on an object being deleted: true when done (the finalizer is dropped). */
export type Finalizer = (served: Served, object: KubeObject) => boolean;

/** An admission plugin: throws a StatusError to refuse the request. */
export interface Admission {
  /** Before a new object named `name` is created in `namespace`. */
  create?(served: Served, namespace: string | undefined, name: string): void;
  /** Before a live object is deleted. */
  delete?(served: Served, name: string): void;
}

/** Runs on an object (as marked) once a deletion has marked it and its finalizers have run. */
export type DeletingHook = (served: Served, object: KubeObject) => void;

/** Runs once an object is gone for good (removed from the store), with its last state. */
export type RemovedHook = (served: Served, object: KubeObject) => void;

export class Registry {
  managedFields: ManagedFieldsHook | undefined;
  readonly #changeHooks: ChangeHook[] = [];
  readonly #finalizers = new Map<string, Finalizer>();
  readonly #admission: Admission[] = [];
  readonly #deletingHooks: DeletingHook[] = [];
  readonly #removedHooks: RemovedHook[] = [];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    readonly catalogue: Catalogue,
    readonly store: ObjectStore,
  ) {
    store.subscribe((change) => {
      for (const hook of this.#changeHooks) hook(change);
    });
  }

  /** Hooks run in the order they are registered. */
  onChange(hook: ChangeHook): void {
    this.#changeHooks.push(hook);
  }

  /** Registers the controller of a finalizer: it runs when an object carrying it is deleted. */
  onFinalize(finalizer: string, run: Finalizer): void {
    this.#finalizers.set(finalizer, run);
  }

  admit(plugin: Admission): void {
    this.#admission.push(plugin);
  }

  onDeleting(hook: DeletingHook): void {
    this.#deletingHooks.push(hook);
  }

  onRemoved(hook: RemovedHook): void {
    this.#removedHooks.push(hook);
  }

  /** Cancels pending graceful deletions. */
  dispose(): void {
    for (const t of this.#timers) clearTimeout(t);
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
        status.invalid(groupKind(served), meta.name ?? meta.generateName ?? "", causes),
      );
  }

  #validate(served: Served, object: KubeObject): void {
    const causes = validate(served, object);
    if (causes.length > 0)
      throw new StatusError(status.invalid(groupKind(served), metaOf(object).name ?? "", causes));
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
    for (const plugin of this.#admission) plugin.create?.(served, meta.namespace, name);
    if (this.store.get(served.key, meta.namespace, name))
      throw new StatusError(status.alreadyExists(groupResource(served), name));
    if (meta.resourceVersion && !options.seed)
      throw new StatusError(
        status.internal("resourceVersion should not be set on objects to be created"),
      );
    this.#validate(served, object);
    prepareForCreate(served, object, options.seed ?? false);
    const prepared = metaOf(object);
    if (prepared.finalizers) meta.finalizers = prepared.finalizers;
    setServerLabels(served, meta, name);
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
    return this.write(served, stored);
  }

  /** apiVersion, kind, metadata first, as the server's encoder writes them. */
  #ordered(object: KubeObject): KubeObject {
    const { apiVersion, kind, metadata, ...rest } = object;
    return { apiVersion, kind, metadata, ...rest } as KubeObject;
  }

  /**
   * Stores `object` as it is with the next resourceVersion: no admission, no strategy. The controllers'
   * own writes (an orphaned dependent, a namespace's emptied finalizers) go here.
   */
  write(served: Served, object: KubeObject): KubeObject {
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
        if (m.resourceVersion) throw new StatusError(status.notFound(groupResource(served), name));
        return { object: this.create(served, object, options), created: true };
      }
      throw new StatusError(status.notFound(groupResource(served), name));
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
      throw new StatusError(
        status.conflict(groupResource(served), name, status.OPTIMISTIC_LOCK_MESSAGE),
      );
    if (meta.uid && meta.uid !== liveMeta.uid)
      throw new StatusError(
        status.conflict(
          groupResource(served),
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
      keepStatus(served, live, object);
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
      setServerLabels(served, nextMeta, name);
      if (nextMeta.managedFields === undefined && liveMeta.managedFields !== undefined)
        nextMeta.managedFields = liveMeta.managedFields;
      object.metadata = nextMeta;
    }
    object.apiVersion = served.descriptor.apiVersion;
    object.kind = served.descriptor.kind;
    this.#validateName(served, metaOf(object), false);
    this.#validate(served, object as KubeObject);
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
    // The last finalizer gone from an object being deleted: it goes now, unless the kubelet has a
    // grace period to wait (a pod on a node).
    if (metaOf(result).deletionTimestamp !== undefined && !metaOf(result).finalizers?.length) {
      if (!this.#graceful(live)) {
        const written = this.write(served, result);
        this.#finish(served, written);
        return { object: written, created: false };
      }
    }
    return { object: this.write(served, result), created: false };
  }

  /** Whether a deletion waits for a grace period (only pods on a node get one: gracePeriod()). */
  #graceful(object: KubeObject): boolean {
    const m = metaOf(object);
    return (m.deletionGracePeriodSeconds ?? 0) > 0;
  }

  /** Removes an object for good, then tells the controllers (garbage collector, namespace controller). */
  #finish(served: Served, object: KubeObject): KubeObject | undefined {
    const meta = metaOf(object);
    const change = this.store.remove(served.key, meta.namespace, meta.name ?? "");
    if (!change) return undefined;
    for (const hook of this.#removedHooks) hook(served, object);
    return change.object;
  }

  delete(
    served: Served,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): { object: KubeObject; deleted: boolean } {
    const live = this.store.get(served.key, namespace, name);
    if (!live) throw new StatusError(status.notFound(groupResource(served), name));
    const meta = metaOf(live);
    const pre = options.preconditions ?? {};
    if (pre.uid !== undefined && pre.uid !== meta.uid)
      throw new StatusError(
        status.conflict(
          groupResource(served),
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`,
        ),
      );
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion)
      throw new StatusError(
        status.conflict(
          groupResource(served),
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`,
        ),
      );
    for (const plugin of this.#admission) plugin.delete?.(served, name);

    const now = timestamp();
    const grace = gracePeriod(served, live, options.gracePeriodSeconds);
    const finalizers = [...(meta.finalizers ?? [])];
    const policy = options.propagationPolicy ?? "Background";
    if (meta.deletionTimestamp === undefined) {
      if (policy === "Foreground" && !finalizers.includes("foregroundDeletion"))
        finalizers.push("foregroundDeletion");
      if (policy === "Orphan" && !finalizers.includes("orphan")) finalizers.push("orphan");
    }
    const deferred = deletionDeferred(served);

    if (finalizers.length === 0 && grace <= 0 && !deferred) {
      if (options.dryRun) return { object: live, deleted: true };
      const gone = this.#finish(served, live) ?? live;
      return { object: gone, deleted: true };
    }
    if (meta.deletionTimestamp !== undefined && grace <= 0 && finalizers.length === 0) {
      if (options.dryRun) return { object: live, deleted: true };
      return { object: this.#finish(served, live) ?? live, deleted: true };
    }
    // Deferred: mark the object and let finalizers (or the kubelet) finish it.
    const newMeta: Meta = { ...meta, finalizers };
    if (finalizers.length === 0) delete newMeta.finalizers;
    if (meta.deletionTimestamp === undefined) {
      newMeta.deletionTimestamp = grace > 0 ? timestamp(new Date(Date.now() + grace * 1000)) : now;
      newMeta.deletionGracePeriodSeconds = Math.max(grace, 0);
      if (meta.generation !== undefined) newMeta.generation = meta.generation + 1;
    }
    let marked = markedForDeletion(served, live, { ...live, metadata: newMeta });
    if (options.dryRun) return { object: marked, deleted: false };
    if (!deepEqual(marked, live)) marked = this.write(served, marked);
    const answer = marked;
    if (grace > 0) {
      // The kubelet: removes the pod once the grace period is over (and no finalizer is left).
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        const current = this.store.get(served.key, namespace, name);
        if (current && metaOf(current).uid === meta.uid && !metaOf(current).finalizers?.length)
          this.#finish(served, current);
      }, grace * 1000);
      timer.unref?.();
      this.#timers.add(timer);
    }
    this.#finalize(served, marked);
    return { object: answer, deleted: false };
  }

  /** Runs the controllers of the finalizers an object being deleted carries, then the deleting hooks. */
  #finalize(served: Served, object: KubeObject): void {
    const carried = metaOf(object).finalizers ?? [];
    for (const [finalizer, run] of this.#finalizers) {
      if (!carried.includes(finalizer)) continue;
      if (run(served, object)) this.#dropFinalizer(served, object, finalizer);
    }
    for (const hook of this.#deletingHooks) hook(served, object);
  }

  #dropFinalizer(served: Served, object: KubeObject, finalizer: string): void {
    const meta = metaOf(object);
    const current = this.store.get(served.key, meta.namespace, meta.name ?? "");
    if (!current) return;
    const cm = metaOf(current);
    const finalizers = (cm.finalizers ?? []).filter((f) => f !== finalizer);
    const m: Meta = { ...cm, finalizers };
    if (finalizers.length === 0) delete m.finalizers;
    const written = this.write(served, { ...current, metadata: m });
    if (finalizers.length === 0 && !this.#graceful(written)) this.#finish(served, written);
  }
}
