import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from "./retry.js";

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(["1", "9"])).toBe(1000);
    expect(
      parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")),
    ).toBe(10_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("backoffDelay", () => {
  it("doubles up to the maximum, with full jitter", () => {
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(DEFAULT_RETRY, n, () => 1))).toEqual([
      500, 1000, 2000, 4000, 5000,
    ]);
    expect(backoffDelay(DEFAULT_RETRY, 2, () => 0.5)).toBe(1000);
  });
});
