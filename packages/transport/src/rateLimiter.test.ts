import { describe, expect, it } from "vitest";
import { DEFAULT_RATE_LIMIT, sleep, TokenBucket } from "./rateLimiter.js";

/** Whether `promise` settles within a few turns of the event loop (no timer involved). */
async function settlesAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe("TokenBucket", () => {
  it("lets the burst through at once, then holds the next request", async () => {
    const now = 0;
    const bucket = new TokenBucket({ qps: 1, burst: 3 }, () => now);
    for (let i = 0; i < 3; i++) expect(await settlesAtOnce(bucket.acquire())).toBe(true);
    const fourth = bucket.acquire();
    expect(await settlesAtOnce(fourth)).toBe(false);
  });

  it("refills at qps: a token every 1/qps seconds of quiet", async () => {
    let now = 0;
    const bucket = new TokenBucket({ qps: 10, burst: 2 }, () => now);
    await bucket.acquire();
    await bucket.acquire();
    now += 100; // one token's worth at 10/s
    expect(await settlesAtOnce(bucket.acquire())).toBe(true);
    expect(await settlesAtOnce(bucket.acquire())).toBe(false);
  });

  it("refills to at most burst after a quiet period", async () => {
    let now = 0;
    const bucket = new TokenBucket({ qps: 10, burst: 2 }, () => now);
    await bucket.acquire();
    await bucket.acquire();
    now = 10_000; // 100 tokens' worth of quiet, but the bucket holds 2
    expect(await settlesAtOnce(bucket.acquire())).toBe(true);
    expect(await settlesAtOnce(bucket.acquire())).toBe(true);
    expect(await settlesAtOnce(bucket.acquire())).toBe(false);
  });

  it("makes a waiter wait about 1/qps for its token, in order", async () => {
    const bucket = new TokenBucket({ qps: 50, burst: 1 });
    await bucket.acquire();
    const started = performance.now();
    const order: number[] = [];
    await Promise.all([1, 2].map((n) => bucket.acquire().then(() => order.push(n))));
    expect(order).toEqual([1, 2]);
    // two tokens at 50/s: at least ~40 ms (timers may fire a little early, never much)
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });

  it("rejects a waiter whose signal aborts, at once, and keeps serving the others", async () => {
    const now = 0;
    const bucket = new TokenBucket({ qps: 0.001, burst: 1 }, () => now);
    await bucket.acquire();
    const controller = new AbortController();
    const aborted = bucket.acquire(controller.signal);
    controller.abort(new Error("gone"));
    expect(await settlesAtOnce(aborted)).toBe(true);
    await expect(aborted).rejects.toThrow("gone");
    const already = new AbortController();
    already.abort(new Error("before"));
    await expect(bucket.acquire(already.signal)).rejects.toThrow("before");
  });

  it("refuses nonsense limits", () => {
    expect(() => new TokenBucket({ qps: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ qps: 1, burst: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ qps: Number.NaN, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ qps: 0.5, burst: 1 })).not.toThrow();
  });

  it("defaults to client-go's qps 5, burst 10", () => {
    expect(DEFAULT_RATE_LIMIT).toEqual({ qps: 5, burst: 10 });
  });
});

describe("sleep", () => {
  it("resolves after its time, and rejects at once with the reason when aborted", async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new Error("stop"));
    expect(await settlesAtOnce(pending)).toBe(true);
    await expect(pending).rejects.toThrow("stop");
    await expect(sleep(60_000, AbortSignal.abort(new Error("already")))).rejects.toThrow("already");
  });
});
