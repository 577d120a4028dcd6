/** Client-side rate limit: a token bucket of `burst` tokens refilled at `qps` per second. */
export interface RateLimit {
  /** Sustained requests per second. client-go's default: 5. */
  qps: number;
  /** Requests allowed at once after a quiet period. client-go's default: 10. */
  burst: number;
}

/** client-go's defaults (`rest.DefaultQPS`, `rest.DefaultBurst`). */
export const DEFAULT_RATE_LIMIT: RateLimit = { qps: 5, burst: 10 };

/** A token bucket (client-go's `flowcontrol.NewTokenBucketRateLimiter`); waiters are served in order. */
export class TokenBucket {
  readonly #qps: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updated: number;
  #tail: Promise<void> = Promise.resolve();

  constructor(limit: RateLimit, now: () => number = performance.now.bind(performance)) {
    if (!(limit.qps > 0) || !(limit.burst >= 1))
      throw new RangeError(`rate limit needs qps > 0 and burst >= 1, got ${JSON.stringify(limit)}`);
    this.#qps = limit.qps;
    this.#burst = limit.burst;
    this.#now = now;
    this.#tokens = limit.burst;
    this.#updated = now();
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#updated) / 1000) * this.#qps);
    this.#updated = now;
  }

  /** Waits for a token; rejects with the signal's reason if aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.#tail.then(() => this.#take(signal));
    // The next waiter queues behind this one whether it succeeds or is aborted.
    this.#tail = turn.catch(() => {});
    return turn;
  }

  async #take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.#refill();
    if (this.#tokens < 1) {
      await sleep(((1 - this.#tokens) / this.#qps) * 1000, signal);
      this.#refill();
    }
    this.#tokens -= 1;
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
