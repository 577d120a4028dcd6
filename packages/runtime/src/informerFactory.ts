import type { Client, KubeObject, ResourceDescriptor } from "@kin/client";
import { InvalidStateError } from "./errors.js";
import { createInformer, type Informer, type InformerOptions } from "./informer.js";
import type { IndexFunc } from "./store.js";

/** Options shared by every informer of a factory. */
export interface InformerFactoryOptions
  extends Pick<
    InformerOptions<KubeObject>,
    "resyncMs" | "watchList" | "backoff" | "minWatchTimeoutSeconds" | "pageSize" | "onError"
  > {
  /** Applied to every object of every informer before caching (e.g. `stripManagedFields`). */
  transform?: <T extends KubeObject>(object: T) => T;
}

/** Which objects of a kind: the same choice as `client.api`, plus selectors. */
export interface InformerSelection<T extends KubeObject> {
  namespace?: string;
  allNamespaces?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  /** Indexes to add to the (shared) informer's store. */
  indexers?: Record<string, IndexFunc<T>>;
}

/** Shares one informer — one watch — per kind and selection among every consumer, as client-go's `SharedInformerFactory`. */
export interface InformerFactory {
  /**
   * The informer of `descriptor`'s objects in `selection`: the same one for every caller asking for
   * the same kind, namespace and selectors. Started at once if the factory was started.
   */
  informer<T extends KubeObject>(
    descriptor: ResourceDescriptor<T>,
    selection?: InformerSelection<T>,
  ): Informer<T>;
  /** Starts every informer, and those asked for later, until `signal` aborts; resolves when all stopped. */
  start(signal: AbortSignal): Promise<void>;
  /** Resolves `true` once every informer asked for so far has synced, `false` if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean>;
  /** How many informers (watches) there are. */
  readonly size: number;
}

/** A factory of shared informers on `client`. */
export function createInformerFactory(
  client: Client,
  options: InformerFactoryOptions = {},
): InformerFactory {
  const informers = new Map<string, Informer<KubeObject>>();
  const runs: Promise<void>[] = [];
  let started: AbortSignal | undefined;

  const launch = (informer: Informer<KubeObject>, signal: AbortSignal) => {
    // Already run by its owner (informer.run called directly): that run serves the factory too.
    if (informer.running) return;
    runs.push(
      informer.run(signal).catch((error: unknown) => {
        if (options.onError) options.onError(error);
        else throw error;
      }),
    );
  };

  return {
    get size() {
      return informers.size;
    },
    informer<T extends KubeObject>(
      descriptor: ResourceDescriptor<T>,
      selection: InformerSelection<T> = {},
    ): Informer<T> {
      const namespace = descriptor.namespaced
        ? selection.allNamespaces
          ? undefined
          : (selection.namespace ?? client.namespace)
        : undefined;
      const key = JSON.stringify([
        descriptor.group,
        descriptor.version,
        descriptor.plural,
        namespace ?? null,
        selection.labelSelector ?? "",
        selection.fieldSelector ?? "",
      ]);
      let informer = informers.get(key) as Informer<T> | undefined;
      if (!informer) {
        const { indexers: _, ...where } = selection;
        informer = createInformer<T>(client, descriptor, {
          ...where,
          ...(descriptor.namespaced && namespace !== undefined ? { namespace } : {}),
          resyncMs: options.resyncMs,
          watchList: options.watchList,
          backoff: options.backoff,
          minWatchTimeoutSeconds: options.minWatchTimeoutSeconds,
          pageSize: options.pageSize,
          onError: options.onError,
          transform: options.transform,
        });
        informers.set(key, informer as unknown as Informer<KubeObject>);
        if (started && !started.aborted)
          launch(informer as unknown as Informer<KubeObject>, started);
      }
      if (selection.indexers) informer.addIndexers(selection.indexers);
      return informer;
    },
    async start(signal) {
      if (started) throw new InvalidStateError("the informer factory was already started");
      started = signal;
      for (const informer of informers.values()) launch(informer, signal);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener("abort", () => resolve(), { once: true });
      });
      // Informers asked for while running were launched too: wait for every run.
      let settled = 0;
      while (settled < runs.length) {
        const batch = runs.slice(settled);
        settled += batch.length;
        await Promise.all(batch);
      }
    },
    async waitForSync(signal) {
      for (const informer of informers.values())
        if (!(await informer.waitForSync(signal))) return false;
      return true;
    },
  };
}
