/** When and how often failed requests are sent again. */
export interface RetryOptions {
  /**
   * How many times a 429 or 5xx answer that carries `Retry-After` is retried after that delay
   * (client-go's rule in `rest/with_retry.go`). Default 10.
   */
  maxRetryAfter?: number;
  /** The longest `Retry-After` wait honoured, in milliseconds; longer ones are cut to it. Default 10 000. */
  retryAfterCapMs?: number;
  /**
   * How many times an idempotent request (GET, HEAD, or marked `idempotent`) is retried after a
   * connection reset or refusal, a 503 or a 504, with exponential backoff and full jitter. Default 3.
   */
  maxBackoff?: number;
  /** First backoff delay in milliseconds; each next one doubles, before jitter. Default 500 (kube-rs). */
  backoffBaseMs?: number;
  /** The longest backoff delay in milliseconds. Default 5 000. */
  backoffMaxMs?: number;
}

export type ResolvedRetry = Required<RetryOptions>;

export const DEFAULT_RETRY: ResolvedRetry = {
  maxRetryAfter: 10,
  retryAfterCapMs: 10_000,
  maxBackoff: 3,
  backoffBaseMs: 500,
  backoffMaxMs: 5_000,
};

/** No retries at all. */
export const NO_RETRY: ResolvedRetry = { ...DEFAULT_RETRY, maxRetryAfter: 0, maxBackoff: 0 };

// RFC 9110's preferred HTTP-date form (IMF-fixdate): `Wed, 21 Oct 2015 07:28:00 GMT`.
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * `Retry-After` in milliseconds: delta-seconds (digits only, as client-go's `strconv.Atoi` reads
 * them, without its sign) or an IMF-fixdate HTTP date. `undefined` — no retry after a delay — when
 * absent or anything else: `1.5`, `-1`, `soon` and other dates `Date.parse` would guess at are
 * ignored, never taken as 0.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now = Date.now(),
): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!IMF_FIXDATE.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full-jitter exponential backoff for retry number `attempt` (0-based). */
export function backoffDelay(
  policy: ResolvedRetry,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** attempt);
  return Math.round(ceiling * random());
}
