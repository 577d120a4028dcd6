import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_RETRY, NO_RETRY, parseRetryAfter } from "./retry.js";

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(" 2 ")).toBe(2000);
    expect(parseRetryAfter("0")).toBe(0);
    expect(parseRetryAfter(["1", "9"])).toBe(1000);
    expect(
      parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")),
    ).toBe(10_000);
    expect(
      parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")),
    ).toBe(0);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter("")).toBeUndefined();
  });

  it("ignores values that are not delta-seconds or an IMF-fixdate, never taking them as 0", () => {
    // Date.parse reads "1.5" as 2001-01-05 and "-1" as the year -1: dates in the past, so 0.
    for (const value of [
      "1.5",
      "-1",
      "+3",
      "1e3",
      "0x10",
      "3 s",
      "soon",
      "2015-10-21",
      "Wed Oct 21 2015",
    ]) {
      expect(parseRetryAfter(value), value).toBeUndefined();
    }
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

describe("defaults", () => {
  it("are client-go's Retry-After rule and kube-rs' backoff", () => {
    expect(DEFAULT_RETRY).toEqual({
      maxRetryAfter: 10,
      retryAfterCapMs: 10_000,
      maxBackoff: 3,
      backoffBaseMs: 500,
      backoffMaxMs: 5_000,
    });
    expect(NO_RETRY).toMatchObject({ maxRetryAfter: 0, maxBackoff: 0 });
  });
});
