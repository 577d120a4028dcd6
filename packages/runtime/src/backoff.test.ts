import { describe, expect, it } from "vitest";
import { Backoff, DEFAULT_BACKOFF } from "./backoff.js";
import { deepFreeze } from "./freeze.js";
import { microTime } from "./microTime.js";
import { sleep } from "./sleep.js";

describe("Backoff", () => {
  it("has client-go's reflector defaults and doubles with jitter up to the cap", () => {
    expect(DEFAULT_BACKOFF).toEqual({
      initialMs: 800,
      maxMs: 30_000,
      resetMs: 120_000,
      factor: 2,
      jitter: 1,
    });
    let t = 0;
    const noJitter = new Backoff(
      {},
      () => t,
      () => 0,
    );
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => noJitter.next())).toEqual([
      800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000,
    ]);
    const fullJitter = new Backoff(
      {},
      () => t,
      () => 0.999,
    );
    expect(fullJitter.next()).toBeCloseTo(1599.2);
    t = 120_001; // quiet for longer than resetMs: start again
    expect(noJitter.next()).toBe(800);
  });

  it("refuses nonsense by field", () => {
    expect(() => new Backoff({ initialMs: -1 })).toThrow(/backoff.initialMs/);
  });
});

describe("helpers", () => {
  it("sleep resolves false at once when aborted, true when the time is up", async () => {
    const abort = new AbortController();
    const waiting = sleep(60_000, abort.signal);
    abort.abort();
    expect(await waiting).toBe(false);
    expect(await sleep(1)).toBe(true);
  });

  it("deepFreeze freezes nested objects and arrays", () => {
    const value = deepFreeze({ a: { b: [{ c: 1 }] } });
    expect(Object.isFrozen(value.a.b[0])).toBe(true);
  });

  it("microTime writes six fractional digits", () => {
    expect(microTime(new Date("2024-05-01T10:00:00.123Z"))).toBe("2024-05-01T10:00:00.123000Z");
  });
});
