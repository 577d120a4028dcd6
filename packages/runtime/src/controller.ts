import type { KubeObject, ResourceDescriptor } from "@kin/client";
import { InvalidStateError } from "./errors.js";
import type { HandlerRegistration } from "./handlers.js";
import type { Informer } from "./informer.js";
import { objectKey } from "./keys.js";
import { type OwnerKeysOptions, ownerKeys } from "./owners.js";
import type { RateLimiter } from "./rateLimiter.js";
import { finalStateOf } from "./tombstone.js";
import { createWorkQueue, type WorkQueue } from "./workQueue.js";

/** What a reconcile asks for next. Nothing (or `undefined`): done until the key is enqueued again. */
export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (its retry count is reset). */
  requeueAfterMs?: number;
  /** Reconcile this key again after the rate limiter's backoff (as after an error, but not reported). */
  requeue?: boolean;
}

/** What a reconcile gets besides its key. */
export interface ReconcileContext {
  /** Aborts when the controller stops: finish or give up soon. */
  signal: AbortSignal;
  /** How many times in a row this key was requeued with backoff (0 the first time). */
  retries: number;
}

/** Options of {@link createController}. */
export interface ControllerOptions {
  /** The controller's name, for the queue's metrics and messages. */
  name: string;
  /**
   * Brings the world in line for one key (`namespace/name`). Throwing requeues the key with the rate
   * limiter's backoff (5 ms doubling to 1 000 s per key, 10/s overall by default).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: an async reconcile that returns nothing is a Promise<void>
  reconcile(key: string, context: ReconcileContext): Promise<ReconcileResult | void>;
  /** How many keys are reconciled at once (never the same key twice at once). Default 1. */
  workers?: number;
  /** The backoff of failed keys. Default: client-go's `DefaultControllerRateLimiter`. */
  rateLimiter?: RateLimiter<string>;
  /** Told about every failed reconcile (the key is requeued). Default: a process warning. */
  onError?: (error: unknown, key: string) => void;
}

/** A reconcile loop over a work queue fed by informers, as controller-runtime's controller. */
export interface Controller {
  readonly name: string;
  /** The controller's queue (metrics, or to add keys from elsewhere). */
  readonly queue: WorkQueue<string>;
  /** Queues a key for reconcile. */
  enqueue(key: string): void;
  /** Queues a key for reconcile after `ms`. */
  enqueueAfter(key: string, ms: number): void;
  /**
   * Reconciles keys of `informer`'s objects when they are added, changed or deleted: by default each
   * object's own key; `map` may return other keys (or none). `run` waits for the informer to sync.
   */
  watch<T extends KubeObject>(
    informer: Informer<T>,
    map?: (object: T) => string | readonly string[] | undefined,
  ): HandlerRegistration;
  /**
   * Reconciles the owners of `informer`'s objects: for each change, the key of the owner of kind
   * `owner` named in its `ownerReferences` (the controller reference only, by default).
   */
  watchOwned<T extends KubeObject>(
    informer: Informer<T>,
    owner: Pick<ResourceDescriptor, "group" | "kind" | "namespaced">,
    options?: OwnerKeysOptions,
  ): HandlerRegistration;
  /**
   * Waits for the watched informers to sync (they must be running, e.g. through an informer factory),
   * then reconciles with `workers` workers until `signal` aborts. On abort the queue stops, no new
   * reconcile starts, the ones in flight finish (their `signal` aborts too), and `run` resolves.
   * @throws {Error} when called a second time (a controller runs once).
   */
  run(signal: AbortSignal): Promise<void>;
}

/** A controller: informers feed keys into a de-duplicating, rate-limited queue that workers reconcile. */
export function createController(options: ControllerOptions): Controller {
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError(`controller workers must be an integer ≥ 1, got ${workers}`);
  const queue = createWorkQueue<string>({ name: options.name, rateLimiter: options.rateLimiter });
  const watched: Informer<KubeObject>[] = [];
  let ran = false;

  const report = (error: unknown, key: string) => {
    if (options.onError) {
      options.onError(error, key);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.emitWarning(`controller ${options.name}: reconcile of ${key} failed: ${message}`, {
      code: "KIN_RUNTIME_RECONCILE",
    });
  };

  const watch = <T extends KubeObject>(
    informer: Informer<T>,
    map: (object: T) => string | readonly string[] | undefined,
  ) => {
    watched.push(informer as unknown as Informer<KubeObject>);
    const enqueue = (object: T) => {
      const keys = map(object);
      if (keys === undefined) return;
      if (typeof keys === "string") queue.add(keys);
      else for (const key of keys) queue.add(key);
    };
    return informer.addHandler({
      onAdd: (object) => enqueue(object),
      onUpdate: (_, object) => enqueue(object),
      onDelete: (object) => enqueue(finalStateOf(object)),
    });
  };

  const work = async (signal: AbortSignal) => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      if (signal.aborted) {
        queue.done(key);
        continue;
      }
      try {
        const result = await options.reconcile(key, { signal, retries: queue.numRequeues(key) });
        if (result?.requeueAfterMs !== undefined && result.requeueAfterMs > 0) {
          queue.forget(key);
          queue.addAfter(key, result.requeueAfterMs);
        } else if (result?.requeue) queue.addRateLimited(key);
        else queue.forget(key);
      } catch (error) {
        if (!signal.aborted) {
          report(error, key);
          queue.addRateLimited(key);
        }
      } finally {
        queue.done(key);
      }
    }
  };

  return {
    name: options.name,
    queue,
    enqueue: (key) => queue.add(key),
    enqueueAfter: (key, ms) => queue.addAfter(key, ms),
    watch: (informer, map) => watch(informer, map ?? ((object: KubeObject) => objectKey(object))),
    watchOwned: (informer, owner, ownerOptions) =>
      watch(informer, (object) => ownerKeys(object, owner, ownerOptions)),
    async run(signal) {
      if (ran)
        throw new InvalidStateError(
          `controller ${options.name} already ran: its queue is shut down, create a new controller`,
        );
      ran = true;
      const stop = () => queue.shutDown();
      signal.addEventListener("abort", stop, { once: true });
      try {
        for (const informer of watched) if (!(await informer.waitForSync(signal))) return;
        await Promise.all(Array.from({ length: workers }, () => work(signal)));
      } finally {
        signal.removeEventListener("abort", stop);
        queue.shutDown();
      }
    },
  };
}
