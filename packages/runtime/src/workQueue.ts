import { defaultControllerRateLimiter, type RateLimiter } from "./rateLimiter.js";

/** Options of {@link createWorkQueue}. */
export interface WorkQueueOptions<K = string> {
  /** A name for metrics and messages. Default `""`. */
  name?: string;
  /** The delays of `addRateLimited`. Default: {@link defaultControllerRateLimiter} (client-go's). */
  rateLimiter?: RateLimiter<K>;
}

/** A histogram in seconds, with client-go's workqueue buckets (10 ns × 10ⁿ, n = 0…9), cumulative. */
export interface Histogram {
  count: number;
  sumSeconds: number;
  maxSeconds: number;
  /** Cumulative counts: `buckets[i]` observations were ≤ `HISTOGRAM_BOUNDS[i]` seconds. */
  buckets: number[];
}

/** The upper bounds of {@link Histogram} buckets in seconds: `prometheus.ExponentialBuckets(10e-9, 10, 10)`. */
export const HISTOGRAM_BOUNDS: readonly number[] = Object.freeze(
  Array.from({ length: 10 }, (_, i) => 1e-8 * 10 ** i),
);

/** client-go's workqueue metrics, as one snapshot. */
export interface WorkQueueMetrics {
  /** Items waiting (not counting delayed ones). */
  depth: number;
  /** Items accepted by `add` (a duplicate of a waiting item is not). */
  adds: number;
  /** `addAfter` and `addRateLimited` calls. */
  retries: number;
  /** How long items waited between being added and handed out. */
  latency: Histogram;
  /** How long items were processed (handed out until `done`). */
  workDuration: Histogram;
  /** Seconds of work in progress, summed over the items being processed now. */
  unfinishedWorkSeconds: number;
  /** The longest an item now being processed has been at it, in seconds. */
  longestRunningProcessorSeconds: number;
}

/**
 * A work queue with client-go's guarantees: an item is never processed by two workers at once, an
 * item added while waiting is queued once, and one added while being processed is queued again when
 * it is `done` (the dirty and processing sets).
 */
export interface WorkQueue<K = string> {
  readonly name: string;
  /** Items waiting to be handed out. */
  readonly length: number;
  readonly shuttingDown: boolean;
  /** Queues `item` unless it is already waiting; ignored after shutdown. */
  add(item: K): void;
  /** Queues `item` after `ms` (at once for ms ≤ 0); of several pending delays the earliest wins. */
  addAfter(item: K, ms: number): void;
  /** Queues `item` after the rate limiter's delay for it (its retry count grows). */
  addRateLimited(item: K): void;
  /** Resets `item`'s retry count in the rate limiter. */
  forget(item: K): void;
  /** How many times `item` was retried through `addRateLimited` since it was last forgotten. */
  numRequeues(item: K): number;
  /**
   * The next item, once there is one; `undefined` after shutdown once nothing is left. The caller must
   * call `done(item)` when finished with it.
   */
  get(): Promise<K | undefined>;
  /** Marks `item` finished; if it was added meanwhile it is queued again. */
  done(item: K): void;
  /** Stops accepting items and delayed items; waiting `get`s resolve `undefined`. Queued items can still be taken. */
  shutDown(): void;
  /** As `shutDown`, then resolves once every item handed out is `done`. */
  shutDownWithDrain(): Promise<void>;
  metrics(): WorkQueueMetrics;
}

const emptyHistogram = (): Histogram => ({
  count: 0,
  sumSeconds: 0,
  maxSeconds: 0,
  buckets: HISTOGRAM_BOUNDS.map(() => 0),
});

function observe(histogram: Histogram, seconds: number): void {
  histogram.count++;
  histogram.sumSeconds += seconds;
  if (seconds > histogram.maxSeconds) histogram.maxSeconds = seconds;
  for (let i = 0; i < HISTOGRAM_BOUNDS.length; i++)
    if (seconds <= (HISTOGRAM_BOUNDS[i] as number))
      histogram.buckets[i] = (histogram.buckets[i] as number) + 1;
}

/** A min-heap of delayed items by due time. Stale entries (an item moved earlier) are skipped on pop. */
class DelayHeap<K> {
  readonly #heap: { item: K; at: number }[] = [];
  push(entry: { item: K; at: number }): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as { at: number }).at <= entry.at) break;
      heap[i] = heap[parent] as { item: K; at: number };
      i = parent;
    }
    heap[i] = entry;
  }
  peek(): { item: K; at: number } | undefined {
    return this.#heap[0];
  }
  pop(): { item: K; at: number } | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        const at = (j: number) => (j === i ? last.at : (heap[j] as { at: number }).at);
        if (left < heap.length && at(left) < at(smallest)) smallest = left;
        if (right < heap.length && at(right) < at(smallest)) smallest = right;
        if (smallest === i) break;
        heap[i] = heap[smallest] as { item: K; at: number };
        i = smallest;
      }
      heap[i] = last;
    }
    return top;
  }
  clear(): void {
    this.#heap.length = 0;
  }
}

/**
 * A de-duplicating, delaying, rate-limited work queue (client-go's `workqueue.RateLimitingInterface`).
 * Items are compared as `Map` keys: strings (object keys) are the usual choice.
 */
export function createWorkQueue<K = string>(options: WorkQueueOptions<K> = {}): WorkQueue<K> {
  const name = options.name ?? "";
  const rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<K>();
  let items: K[] = [];
  let head = 0;
  const dirty = new Set<K>();
  const processing = new Set<K>();
  const waiters: ((item: K | undefined) => void)[] = [];
  const drainWaiters: (() => void)[] = [];
  let shuttingDown = false;

  const delayed = new Map<K, number>();
  const heap = new DelayHeap<K>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Number.POSITIVE_INFINITY;

  const addTimes = new Map<K, number>();
  const startTimes = new Map<K, number>();
  let adds = 0;
  let retries = 0;
  const latency = emptyHistogram();
  const workDuration = emptyHistogram();

  const now = () => performance.now();

  const take = (): K => {
    const item = items[head] as K;
    items[head] = undefined as K;
    head++;
    if (head > 1024 && head * 2 > items.length) {
      items = items.slice(head);
      head = 0;
    }
    const t = now();
    startTimes.set(item, t);
    const added = addTimes.get(item);
    if (added !== undefined) {
      observe(latency, (t - added) / 1000);
      addTimes.delete(item);
    }
    processing.add(item);
    dirty.delete(item);
    return item;
  };

  const enqueue = (item: K) => {
    items.push(item);
    const waiter = waiters.shift();
    if (waiter) waiter(take());
  };

  const add = (item: K) => {
    if (shuttingDown || dirty.has(item)) return;
    adds++;
    if (!addTimes.has(item)) addTimes.set(item, now());
    dirty.add(item);
    if (processing.has(item)) return;
    enqueue(item);
  };

  const fire = () => {
    timer = undefined;
    timerAt = Number.POSITIVE_INFINITY;
    const t = now();
    for (let next = heap.peek(); next && next.at <= t; next = heap.peek()) {
      heap.pop();
      if (delayed.get(next.item) !== next.at) continue; // superseded by an earlier due time
      delayed.delete(next.item);
      add(next.item);
    }
    schedule();
  };
  const schedule = () => {
    // Skip stale heads so the timer is set for a live entry.
    for (let next = heap.peek(); next && delayed.get(next.item) !== next.at; next = heap.peek())
      heap.pop();
    const next = heap.peek();
    if (!next || shuttingDown) return;
    if (next.at >= timerAt) return;
    if (timer) clearTimeout(timer);
    timerAt = next.at;
    timer = setTimeout(fire, Math.max(0, next.at - now()));
  };

  const addAfter = (item: K, ms: number) => {
    if (shuttingDown) return;
    retries++;
    if (!(ms > 0)) {
      add(item);
      return;
    }
    const at = now() + ms;
    const existing = delayed.get(item);
    if (existing !== undefined && existing <= at) return;
    delayed.set(item, at);
    heap.push({ item, at });
    schedule();
  };

  const checkDrained = () => {
    if (processing.size > 0) return;
    for (const resolve of drainWaiters.splice(0)) resolve();
  };

  const shutDown = () => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    timerAt = Number.POSITIVE_INFINITY;
    heap.clear();
    delayed.clear();
    for (const waiter of waiters.splice(0)) waiter(undefined);
  };

  return {
    name,
    get length() {
      return items.length - head;
    },
    get shuttingDown() {
      return shuttingDown;
    },
    add,
    addAfter,
    addRateLimited: (item) => addAfter(item, rateLimiter.when(item)),
    forget: (item) => rateLimiter.forget(item),
    numRequeues: (item) => rateLimiter.numRequeues(item),
    get() {
      if (items.length - head > 0) return Promise.resolve(take());
      if (shuttingDown) return Promise.resolve(undefined);
      return new Promise((resolve) => waiters.push(resolve));
    },
    done(item) {
      const started = startTimes.get(item);
      if (started !== undefined) {
        observe(workDuration, (now() - started) / 1000);
        startTimes.delete(item);
      }
      processing.delete(item);
      if (dirty.has(item)) enqueue(item);
      checkDrained();
    },
    shutDown,
    shutDownWithDrain() {
      shutDown();
      return new Promise((resolve) => {
        drainWaiters.push(resolve);
        checkDrained();
      });
    },
    metrics() {
      const t = now();
      let unfinished = 0;
      let longest = 0;
      for (const started of startTimes.values()) {
        const age = (t - started) / 1000;
        unfinished += age;
        if (age > longest) longest = age;
      }
      return {
        depth: dirty.size,
        adds,
        retries,
        latency: { ...latency, buckets: [...latency.buckets] },
        workDuration: { ...workDuration, buckets: [...workDuration.buckets] },
        unfinishedWorkSeconds: unfinished,
        longestRunningProcessorSeconds: longest,
      };
    },
  };
}
