import { describe, expect, it } from "vitest";
import {
  bucketRateLimiter,
  defaultControllerRateLimiter,
  itemExponentialRateLimiter,
  maxOfRateLimiter,
} from "./rateLimiter.js";

describe("rate limiters", () => {
  it("per item: 5 ms doubling to 1 000 s, forgotten on success", () => {
    const limiter = itemExponentialRateLimiter();
    expect([1, 2, 3, 4].map(() => limiter.when("a"))).toEqual([5, 10, 20, 40]);
    expect(limiter.when("b")).toBe(5);
    expect(limiter.numRequeues("a")).toBe(4);
    for (let i = 0; i < 40; i++) limiter.when("a");
    expect(limiter.when("a")).toBe(1_000_000);
    limiter.forget("a");
    expect(limiter.numRequeues("a")).toBe(0);
    expect(limiter.when("a")).toBe(5);
  });

  it("overall: a burst of 100 at once, then 10 a second (rate.Limiter reservations)", () => {
    let t = 0;
    const limiter = bucketRateLimiter(10, 100, () => t);
    for (let i = 0; i < 100; i++) expect(limiter.when(`k${i}`)).toBe(0);
    expect(limiter.when("k100")).toBeCloseTo(100);
    expect(limiter.when("k101")).toBeCloseTo(200);
    t = 1_000; // ten tokens came back, two were already promised
    expect(limiter.when("k102")).toBeCloseTo(0, 5);
  });

  it("the controller default is the longer of the two", () => {
    const t = 0;
    const limiter = maxOfRateLimiter(
      itemExponentialRateLimiter(5, 1_000_000),
      bucketRateLimiter(10, 1, () => t),
    );
    expect(limiter.when("a")).toBe(5);
    expect(limiter.when("b")).toBeCloseTo(100);
    expect(limiter.numRequeues("a")).toBe(1);
    limiter.forget("a");
    expect(limiter.numRequeues("a")).toBe(0);
    const standard = defaultControllerRateLimiter();
    expect(standard.when("x")).toBe(5);
    expect(standard.when("x")).toBe(10);
  });

  it("refuses nonsense", () => {
    expect(() => itemExponentialRateLimiter(0, 10)).toThrow(RangeError);
    expect(() => bucketRateLimiter(0, 10)).toThrow(RangeError);
    expect(() => maxOfRateLimiter()).toThrow(RangeError);
  });
});
