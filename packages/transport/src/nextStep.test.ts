import { describe, expect, it } from "vitest";
import {
  afterStep,
  FIRST_TRY,
  type Next,
  nextStep,
  type Outcome,
  type Situation,
  type Tries,
} from "./nextStep.js";
import { DEFAULT_RETRY, NO_RETRY } from "./retry.js";

// The transport's retry policy as a table: no HTTP, no timers. `random` is 1 so a backoff delay is
// its ceiling (500, 1000, 2000, … ms with the defaults).
const clock = { random: () => 1, now: () => Date.parse("Wed, 21 Oct 2015 07:28:00 GMT") };
const GET: Situation = {
  idempotent: true,
  canRefreshAuth: true,
  canReloadCa: true,
  aborted: false,
};
const POST: Situation = { ...GET, idempotent: false };
const answer = (status: number, retryAfter?: string): Outcome => ({ status, retryAfter });
const failure = (code: string): Outcome => ({ failure: Object.assign(new Error(code), { code }) });
const retry = (reason: string, delayMs: number, budget: "retryAfter" | "backoff"): Next => ({
  action: "retry",
  reason,
  delayMs,
  budget,
});
const used = (partial: Partial<Tries>): Tries => ({ ...FIRST_TRY, ...partial });

describe("nextStep", () => {
  it.each<[string, Outcome, Situation, Tries, Next]>([
    ["200 is answered", answer(200), GET, FIRST_TRY, { action: "answer" }],
    ["404 is answered", answer(404), GET, FIRST_TRY, { action: "answer" }],
    ["a redirect is answered, never followed", answer(302), GET, FIRST_TRY, { action: "answer" }],
    ["401: refresh the credentials once", answer(401), POST, FIRST_TRY, { action: "refresh-auth" }],
    [
      "401 after a refresh is answered",
      answer(401),
      GET,
      used({ refreshedAuth: true }),
      { action: "answer" },
    ],
    [
      "401 without credentials that refresh",
      answer(401),
      { ...GET, canRefreshAuth: false },
      FIRST_TRY,
      { action: "answer" },
    ],
    [
      "429 + Retry-After waits, POST too",
      answer(429, "3"),
      POST,
      FIRST_TRY,
      retry("429", 3000, "retryAfter"),
    ],
    [
      "Retry-After is capped",
      answer(429, "60"),
      GET,
      FIRST_TRY,
      retry("429", 10_000, "retryAfter"),
    ],
    [
      "Retry-After as an HTTP date",
      answer(429, "Wed, 21 Oct 2015 07:28:02 GMT"),
      GET,
      FIRST_TRY,
      retry("429", 2000, "retryAfter"),
    ],
    ["429 without Retry-After is answered", answer(429), GET, FIRST_TRY, { action: "answer" }],
    ["404 with Retry-After is answered", answer(404, "1"), GET, FIRST_TRY, { action: "answer" }],
    [
      "a failure without a code backs off",
      { failure: Object.assign(new Error("x"), { cause: { code: "ECONNRESET" } }) },
      GET,
      FIRST_TRY,
      retry("connection failure", 500, "backoff"),
    ],
    [
      "429 with Retry-After 1.5 is answered",
      answer(429, "1.5"),
      POST,
      FIRST_TRY,
      { action: "answer" },
    ],
    [
      "503 with Retry-After -1 backs off",
      answer(503, "-1"),
      GET,
      FIRST_TRY,
      retry("503", 500, "backoff"),
    ],
    [
      "429 after maxRetryAfter retries is answered",
      answer(429, "1"),
      GET,
      used({ retryAfter: 10 }),
      { action: "answer" },
    ],
    [
      "500 + Retry-After for a GET waits",
      answer(500, "1"),
      GET,
      FIRST_TRY,
      retry("500", 1000, "retryAfter"),
    ],
    [
      "502 + Retry-After for a GET waits",
      answer(502, "2"),
      GET,
      FIRST_TRY,
      retry("502", 2000, "retryAfter"),
    ],
    [
      "500 + Retry-After for a POST is answered",
      answer(500, "1"),
      POST,
      FIRST_TRY,
      { action: "answer" },
    ],
    ["500 without Retry-After is answered", answer(500), GET, FIRST_TRY, { action: "answer" }],
    ["503 for a GET backs off", answer(503), GET, FIRST_TRY, retry("503", 500, "backoff")],
    [
      "504 for a GET backs off, doubling",
      answer(504),
      GET,
      used({ backoff: 2 }),
      retry("504", 2000, "backoff"),
    ],
    [
      "503 after maxBackoff is answered",
      answer(503),
      GET,
      used({ backoff: 3 }),
      { action: "answer" },
    ],
    ["503 for a POST is answered", answer(503), POST, FIRST_TRY, { action: "answer" }],
    [
      "503 + Retry-After past its budget backs off",
      answer(503, "1"),
      GET,
      used({ retryAfter: 10 }),
      retry("503", 500, "backoff"),
    ],
    [
      "a refusal for a GET backs off",
      failure("ECONNREFUSED"),
      GET,
      FIRST_TRY,
      retry("ECONNREFUSED", 500, "backoff"),
    ],
    [
      "a reset for a GET backs off",
      failure("ECONNRESET"),
      GET,
      used({ backoff: 1 }),
      retry("ECONNRESET", 1000, "backoff"),
    ],
    [
      "a refusal after maxBackoff fails",
      failure("ECONNREFUSED"),
      GET,
      used({ backoff: 3 }),
      { action: "fail" },
    ],
    ["a reset for a POST fails", failure("ECONNRESET"), POST, FIRST_TRY, { action: "fail" }],
    ["DNS failure fails", failure("ENOTFOUND"), GET, FIRST_TRY, { action: "fail" }],
    [
      "an unknown CA: re-read the CA, POST too",
      failure("SELF_SIGNED_CERT_IN_CHAIN"),
      POST,
      FIRST_TRY,
      { action: "reload-ca" },
    ],
    [
      "an unknown CA after a re-read fails",
      failure("UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
      GET,
      used({ reloadedCa: true }),
      { action: "fail" },
    ],
    [
      "an unknown CA without a CA file fails",
      failure("CERT_HAS_EXPIRED"),
      { ...GET, canReloadCa: false },
      FIRST_TRY,
      { action: "fail" },
    ],
    [
      "an aborted call stops, whatever the failure",
      failure("ECONNRESET"),
      { ...GET, aborted: true },
      FIRST_TRY,
      { action: "stop" },
    ],
  ])("%s", (_, outcome, situation, tries, next) => {
    expect(nextStep(outcome, situation, tries, DEFAULT_RETRY, clock)).toEqual(next);
  });

  it("never retries with retries off", () => {
    for (const outcome of [answer(429, "1"), answer(503), failure("ECONNREFUSED")]) {
      expect(nextStep(outcome, GET, FIRST_TRY, NO_RETRY, clock).action).not.toBe("retry");
    }
  });

  it("uses jitter: a backoff is a random share of its ceiling", () => {
    const half = { ...clock, random: () => 0.5 };
    expect(nextStep(answer(503), GET, used({ backoff: 1 }), DEFAULT_RETRY, half)).toEqual(
      retry("503", 500, "backoff"),
    );
  });
});

describe("afterStep", () => {
  it("uses up what the decision took, and nothing for the others", () => {
    expect(afterStep(FIRST_TRY, { action: "refresh-auth" })).toEqual(used({ refreshedAuth: true }));
    expect(afterStep(FIRST_TRY, { action: "reload-ca" })).toEqual(used({ reloadedCa: true }));
    expect(afterStep(used({ retryAfter: 2 }), retry("429", 0, "retryAfter"))).toEqual(
      used({ retryAfter: 3 }),
    );
    expect(afterStep(FIRST_TRY, retry("503", 0, "backoff"))).toEqual(used({ backoff: 1 }));
    for (const action of ["answer", "stop", "fail"] as const) {
      expect(afterStep(FIRST_TRY, { action })).toEqual(FIRST_TRY);
    }
  });
});
