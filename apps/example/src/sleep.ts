/** Waits `ms`, or less if `signal` aborts first (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Backoff after the n-th failure in a row: 1 s, 2 s, 4 s … up to 30 s. */
export const backoffMs = (failures: number): number =>
  Math.min(1_000 * 2 ** (failures - 1), 30_000);
