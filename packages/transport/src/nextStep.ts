import { isCertificateFailure, isResetOrRefused } from "./classify.js";
import { backoffDelay, parseRetryAfter, type ResolvedRetry } from "./retry.js";

/** What one try gave: an answer (its status and `Retry-After` header), or a failure without an answer. */
export type Outcome =
  | { readonly status: number; readonly retryAfter: string | string[] | undefined }
  | { readonly failure: unknown };

/** What is known about the call, apart from its tries. */
export interface Situation {
  /** GET, HEAD, or marked idempotent: sending it twice has the same effect. */
  readonly idempotent: boolean;
  /** The credentials can be told to refresh (they have an auth provider). */
  readonly canRefreshAuth: boolean;
  /** The credentials can re-read their CA (and the transport owns its TLS connections). */
  readonly canReloadCa: boolean;
  /** The call's deadline passed or its caller aborted. */
  readonly aborted: boolean;
}

/** What the call has used up so far. */
export interface Tries {
  readonly refreshedAuth: boolean;
  readonly reloadedCa: boolean;
  /** Retries after a `Retry-After`. */
  readonly retryAfter: number;
  /** Retries with exponential backoff. */
  readonly backoff: number;
}

export const FIRST_TRY: Tries = {
  refreshedAuth: false,
  reloadedCa: false,
  retryAfter: 0,
  backoff: 0,
};

/** The decision after one try. */
export type Next =
  /** Hand the answer to the caller: a 2xx is read, anything else becomes a `KubeApiError`. */
  | { readonly action: "answer" }
  /** A 401: tell the credentials to refresh, then send again at once (once per call). */
  | { readonly action: "refresh-auth" }
  /** The server's certificate did not verify: re-read the CA, send again if it changed (once per call). */
  | { readonly action: "reload-ca" }
  /** Wait `delayMs`, then send again. `budget` says which count the retry uses up. */
  | {
      readonly action: "retry";
      readonly reason: string;
      readonly delayMs: number;
      readonly budget: "retryAfter" | "backoff";
    }
  /** The deadline passed or the caller aborted: report that. */
  | { readonly action: "stop" }
  /** No answer and no retry left: report the failure. */
  | { readonly action: "fail" };

/** Randomness and time, given so that {@link nextStep} is a pure function. */
export interface Clock {
  readonly random: () => number;
  readonly now: () => number;
}

/**
 * What to do after a try: the transport's whole retry policy, with no I/O.
 * - a 401 with credentials that can refresh: refresh once, send again;
 * - a 429, or a 5xx answer to an idempotent request, with a readable `Retry-After`: wait that long
 *   (capped), up to `maxRetryAfter` times; a non-idempotent request is sent again only after a 429
 *   (the server did not process it);
 * - a 503 or 504 to an idempotent request: full-jitter exponential backoff, up to `maxBackoff` times;
 * - no answer: stop when the call was aborted; after a certificate failure, re-read the CA once
 *   (a failed handshake sent nothing, so any request may be sent again); retry an idempotent request
 *   after a reset or refusal with backoff; else fail.
 */
export function nextStep(
  outcome: Outcome,
  situation: Situation,
  tries: Tries,
  policy: ResolvedRetry,
  clock: Clock,
): Next {
  if ("failure" in outcome) {
    const { failure } = outcome;
    if (situation.aborted) return { action: "stop" };
    if (situation.canReloadCa && !tries.reloadedCa && isCertificateFailure(failure)) {
      return { action: "reload-ca" };
    }
    if (situation.idempotent && tries.backoff < policy.maxBackoff && isResetOrRefused(failure)) {
      return {
        action: "retry",
        reason: (failure as { code?: string }).code ?? "connection failure",
        delayMs: backoffDelay(policy, tries.backoff, clock.random),
        budget: "backoff",
      };
    }
    return { action: "fail" };
  }
  const { status } = outcome;
  if (status === 401 && situation.canRefreshAuth && !tries.refreshedAuth) {
    return { action: "refresh-auth" };
  }
  if (
    (status === 429 || (status >= 500 && situation.idempotent)) &&
    tries.retryAfter < policy.maxRetryAfter
  ) {
    const retryAfter = parseRetryAfter(outcome.retryAfter, clock.now());
    if (retryAfter !== undefined) {
      return {
        action: "retry",
        reason: String(status),
        delayMs: Math.min(retryAfter, policy.retryAfterCapMs),
        budget: "retryAfter",
      };
    }
  }
  if (
    situation.idempotent &&
    (status === 503 || status === 504) &&
    tries.backoff < policy.maxBackoff
  ) {
    return {
      action: "retry",
      reason: String(status),
      delayMs: backoffDelay(policy, tries.backoff, clock.random),
      budget: "backoff",
    };
  }
  return { action: "answer" };
}

/** The tries after acting on `next`. */
export function afterStep(tries: Tries, next: Next): Tries {
  switch (next.action) {
    case "refresh-auth":
      return { ...tries, refreshedAuth: true };
    case "reload-ca":
      return { ...tries, reloadedCa: true };
    case "retry":
      return { ...tries, [next.budget]: tries[next.budget] + 1 };
    default:
      return tries;
  }
}
