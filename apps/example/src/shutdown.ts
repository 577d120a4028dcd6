// No imports: the entry point loads this before anything else, so that it can catch signals while
// the rest of the app (pino, @kin/client…) is still loading.

/** The signals that stop the app: the kubelet's SIGTERM, and Ctrl-C. */
export const STOP_SIGNALS = ["SIGTERM", "SIGINT"] as const;

/** Aborts when a stop signal arrives; `reason` is the signal's name (`"SIGTERM"`). Later signals are ignored. */
export interface Shutdown {
  readonly signal: AbortSignal;
}

/** Installs the SIGTERM and SIGINT handlers now and reports the first signal through an AbortSignal. */
export function catchStopSignals(): Shutdown {
  const controller = new AbortController();
  for (const name of STOP_SIGNALS) {
    process.on(name, () => {
      if (!controller.signal.aborted) controller.abort(name);
    });
  }
  return { signal: controller.signal };
}
