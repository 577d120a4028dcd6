/** Options of the informer's backoff after failures; the defaults are client-go's reflector's. */
export interface BackoffOptions {
  /** The first delay. Default 800 ms. */
  initialMs?: number;
  /** The largest delay. Default 30 000 ms. */
  maxMs?: number;
  /** After this long without a backoff the delay starts again from `initialMs`. Default 120 000 ms. */
  resetMs?: number;
  /** Each delay is this many times the previous one. Default 2. */
  factor?: number;
  /** Each delay is lengthened by up to this fraction of itself, at random. Default 1. */
  jitter?: number;
}

/** The reflector's defaults: `wait.NewExponentialBackoffManager(800ms, 30s, 2min, 2.0, 1.0)`. */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = Object.freeze({
  initialMs: 800,
  maxMs: 30_000,
  resetMs: 120_000,
  factor: 2,
  jitter: 1,
});

/**
 * An exponential backoff with jitter and reset, as apimachinery's `exponentialBackoffManagerImpl`:
 * each `next()` returns the current delay lengthened by up to `jitter` of itself, then doubles it
 * (up to `maxMs`); a `next()` more than `resetMs` after the previous one starts again from `initialMs`.
 */
export class Backoff {
  readonly #options: Required<BackoffOptions>;
  #delay: number;
  #last: number;

  constructor(
    options: BackoffOptions = {},
    private readonly now: () => number = performance.now.bind(performance),
    private readonly random: () => number = Math.random,
  ) {
    this.#options = { ...DEFAULT_BACKOFF, ...options };
    for (const [name, value] of Object.entries(this.#options)) {
      if (!Number.isFinite(value) || value < 0)
        throw new RangeError(`backoff.${name} must be a finite number ≥ 0, got ${value}`);
    }
    this.#delay = this.#options.initialMs;
    this.#last = this.now();
  }

  /** The next delay in milliseconds. */
  next(): number {
    const { initialMs, maxMs, resetMs, factor, jitter } = this.#options;
    const now = this.now();
    if (now - this.#last > resetMs) this.#delay = initialMs;
    this.#last = now;
    const current = this.#delay;
    this.#delay = Math.min(current * factor, maxMs);
    return jitter > 0 ? current + this.random() * jitter * current : current;
  }
}
