/**
 * How long an item waits before it is retried, as client-go's `workqueue.RateLimiter`.
 * `when` is asked once per retry and counts it; `forget` clears an item's history.
 */
export interface RateLimiter<K = string> {
  /** Milliseconds to wait before `item` is processed again (counts one more retry). */
  when(item: K): number;
  /** Forgets `item`'s retries: the next `when` starts again from the base delay. */
  forget(item: K): void;
  /** How many times `item` was retried since it was last forgotten. */
  numRequeues(item: K): number;
}

/**
 * `baseMs · 2^retries`, capped at `maxMs`, per item (client-go's `ItemExponentialFailureRateLimiter`).
 * Defaults 5 ms and 1 000 s, the controller defaults.
 */
export function itemExponentialRateLimiter<K = string>(
  baseMs = 5,
  maxMs = 1_000_000,
): RateLimiter<K> {
  if (!(baseMs > 0) || !(maxMs >= baseMs))
    throw new RangeError(
      `itemExponentialRateLimiter: need 0 < baseMs ≤ maxMs, got ${baseMs}, ${maxMs}`,
    );
  const failures = new Map<K, number>();
  return {
    when(item) {
      const exponent = failures.get(item) ?? 0;
      failures.set(item, exponent + 1);
      return Math.min(baseMs * 2 ** exponent, maxMs);
    },
    forget: (item) => void failures.delete(item),
    numRequeues: (item) => failures.get(item) ?? 0,
  };
}

/**
 * One token bucket for all items: `qps` tokens a second, at most `burst` saved (client-go's
 * `BucketRateLimiter` over `rate.NewLimiter`). Each `when` reserves a token; when none is left the
 * delay is how long until one will be, so a burst of retries is spread out at `qps`.
 * Defaults 10 qps and a burst of 100, the controller defaults.
 */
export function bucketRateLimiter<K = string>(
  qps = 10,
  burst = 100,
  now: () => number = performance.now.bind(performance),
): RateLimiter<K> {
  if (!(qps > 0) || !(burst >= 1))
    throw new RangeError(`bucketRateLimiter: need qps > 0 and burst ≥ 1, got ${qps}, ${burst}`);
  let tokens = burst;
  let last = now();
  return {
    when() {
      const t = now();
      tokens = Math.min(burst, tokens + ((t - last) / 1000) * qps);
      last = t;
      tokens -= 1;
      return tokens >= 0 ? 0 : (-tokens / qps) * 1000;
    },
    forget() {},
    numRequeues: () => 0,
  };
}

/** The longest delay of several limiters (client-go's `MaxOfRateLimiter`); `numRequeues` is the largest. */
export function maxOfRateLimiter<K = string>(...limiters: RateLimiter<K>[]): RateLimiter<K> {
  if (limiters.length === 0) throw new RangeError("maxOfRateLimiter: give at least one limiter");
  return {
    when: (item) => Math.max(...limiters.map((limiter) => limiter.when(item))),
    forget: (item) => {
      for (const limiter of limiters) limiter.forget(item);
    },
    numRequeues: (item) => Math.max(...limiters.map((limiter) => limiter.numRequeues(item))),
  };
}

/**
 * client-go's `DefaultControllerRateLimiter`: per item 5 ms doubling to 1 000 s, and overall 10 retries
 * a second with bursts of 100 — whichever is longer.
 */
export function defaultControllerRateLimiter<K = string>(): RateLimiter<K> {
  return maxOfRateLimiter<K>(
    itemExponentialRateLimiter<K>(5, 1_000_000),
    bucketRateLimiter<K>(10, 100),
  );
}
