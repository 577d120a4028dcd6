import { describe, expect, it } from "vitest";
import { TokenBucket } from "./rateLimiter.js";

describe("TokenBucket", () => {
  it("lets the burst through at once, then one request per 1/qps seconds", async () => {
    const bucket = new TokenBucket({ qps: 50, burst: 3 });
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, () =>
        bucket.acquire().then(() => times.push(performance.now() - started)),
      ),
    );
    expect(times.slice(0, 3).every((t) => t < 15)).toBe(true);
    // the 6th waits for three refills of 20 ms each
    expect(times[5]).toBeGreaterThanOrEqual(55);
  });

  it("refills to at most burst after a quiet period", () => {
    let now = 0;
    const bucket = new TokenBucket({ qps: 10, burst: 2 }, () => now);
    now = 10_000;
    return Promise.all([bucket.acquire(), bucket.acquire()]).then(() => {
      const third = bucket.acquire();
      now += 100;
      return third;
    });
  });

  it("rejects a waiter whose signal aborts, and keeps serving the others", async () => {
    const bucket = new TokenBucket({ qps: 10, burst: 1 });
    await bucket.acquire();
    const controller = new AbortController();
    const aborted = bucket.acquire(controller.signal);
    controller.abort(new Error("gone"));
    await expect(aborted).rejects.toThrow("gone");
    await expect(bucket.acquire()).resolves.toBeUndefined();
  });

  it("refuses nonsense limits", () => {
    expect(() => new TokenBucket({ qps: 0, burst: 1 })).toThrow(RangeError);
  });
});
