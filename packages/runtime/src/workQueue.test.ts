import { afterEach, describe, expect, it, vi } from "vitest";
import { itemExponentialRateLimiter } from "./rateLimiter.js";
import { createWorkQueue } from "./workQueue.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("work queue", () => {
  it("hands items out in order, once, and never the same item to two workers", async () => {
    const queue = createWorkQueue();
    queue.add("a");
    queue.add("b");
    queue.add("a"); // waiting already: nothing
    expect(queue.length).toBe(2);
    const first = await queue.get();
    expect(first).toBe("a");
    queue.add("a"); // being processed: dirty, queued again when done
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe("b");
    expect(queue.length).toBe(0);
    queue.done("a");
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe("a");
    queue.done("a");
    queue.done("b");
    expect(queue.metrics()).toMatchObject({ depth: 0, adds: 3 });
  });

  it("wakes a waiting worker when an item comes", async () => {
    const queue = createWorkQueue();
    const waiting = queue.get();
    queue.add("x");
    expect(await waiting).toBe("x");
  });

  it("delays items; of two delays for one item the earlier wins", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const queue = createWorkQueue();
    queue.addAfter("late", 1_000);
    queue.addAfter("x", 500);
    queue.addAfter("x", 200);
    queue.addAfter("x", 800);
    queue.addAfter("now", 0);
    expect(queue.length).toBe(1);
    await vi.advanceTimersByTimeAsync(199);
    expect(queue.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(queue.length).toBe(2);
    await vi.advanceTimersByTimeAsync(800);
    expect(queue.length).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(["now", "x", "late"]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(queue.length).toBe(0); // the superseded 500 and 800 ms entries add nothing
    expect(queue.metrics().retries).toBe(5);
  });

  it("retries with the rate limiter's backoff and forgets on success", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const queue = createWorkQueue({ rateLimiter: itemExponentialRateLimiter(100, 1_000) });
    queue.addRateLimited("k");
    queue.addRateLimited("k");
    expect(queue.numRequeues("k")).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(queue.length).toBe(1);
    queue.forget("k");
    expect(queue.numRequeues("k")).toBe(0);
  });

  it("shuts down: new items are ignored, waiting workers are released, queued items can still be taken", async () => {
    const queue = createWorkQueue();
    queue.add("a");
    const idle = createWorkQueue();
    const waiting = idle.get();
    idle.shutDown();
    expect(await waiting).toBeUndefined();
    queue.shutDown();
    queue.add("b");
    queue.addAfter("c", 10);
    expect(queue.shuttingDown).toBe(true);
    expect(await queue.get()).toBe("a");
    expect(await queue.get()).toBeUndefined();
  });

  it("drains: shutDownWithDrain resolves once every handed-out item is done", async () => {
    const queue = createWorkQueue();
    queue.add("a");
    const item = (await queue.get()) as string;
    let drained = false;
    const draining = queue.shutDownWithDrain().then(() => {
      drained = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    queue.done(item);
    await draining;
    expect(drained).toBe(true);
  });

  it("measures latency, work duration, in-flight work and retries as client-go's metrics", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const queue = createWorkQueue({ name: "m" });
    queue.add("a");
    await vi.advanceTimersByTimeAsync(20);
    const item = (await queue.get()) as string;
    await vi.advanceTimersByTimeAsync(30);
    expect(queue.metrics()).toMatchObject({
      depth: 0,
      adds: 1,
      unfinishedWorkSeconds: 0.03,
      longestRunningProcessorSeconds: 0.03,
    });
    queue.done(item);
    const { latency, workDuration } = queue.metrics();
    expect(latency).toMatchObject({ count: 1, sumSeconds: 0.02, maxSeconds: 0.02 });
    expect(workDuration).toMatchObject({ count: 1, sumSeconds: 0.03 });
    // Cumulative buckets: 0.03 s is above 0.01 s and below 0.1 s.
    expect(workDuration.buckets.slice(5, 8)).toEqual([0, 0, 1]);
  });
});
