import { RequestAbortedError, type RequestInfo, RequestTimeoutError } from "./errors.js";

/** One call's end: its timeout and its caller's signal as one signal. */
export interface Deadline {
  /**
   * Aborts when the timeout passes or the caller's signal aborts. `undefined` when neither can
   * happen (a signal costs undici a listener per request); the caller's own when there is no timeout.
   */
  readonly signal: AbortSignal | undefined;
  /** Stops the timer but keeps the caller's signal: streams time only the wait for their answer. */
  stopTimer(): void;
  /** Stops the timer and forgets the caller's signal; call once the body has been read. */
  release(): void;
  /** The error for a call that stopped because `signal` aborted: a timeout, or the caller's abort. */
  stopped(cause: unknown): RequestTimeoutError | RequestAbortedError;
}

/**
 * The deadline of one call to `request`: `timeoutMs` (covering retries and the body) and the
 * caller's `signal`. `hostPort` only names the server in the timeout's message.
 */
export function createDeadline(
  request: RequestInfo,
  hostPort: string,
  timeoutMs: number | undefined,
  callerSignal: AbortSignal | undefined,
): Deadline {
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  let signal: AbortSignal | undefined = callerSignal;
  if (timeoutMs !== undefined) {
    const controller = new AbortController();
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    if (callerSignal) {
      const abort = () => controller.abort(callerSignal.reason);
      if (callerSignal.aborted) abort();
      else callerSignal.addEventListener("abort", abort, { once: true });
      onAbort = abort;
    }
    signal = controller.signal;
  }
  const stopTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
  };
  return {
    signal,
    stopTimer,
    release() {
      stopTimer();
      if (onAbort) callerSignal?.removeEventListener("abort", onAbort);
    },
    stopped: (cause) =>
      timedOut
        ? new RequestTimeoutError(
            request,
            `${request.method} ${request.path} → no answer from ${hostPort} within ${timeoutMs} ms`,
            { cause },
          )
        : new RequestAbortedError(
            request,
            `${request.method} ${request.path} → aborted by the caller`,
            {
              cause: callerSignal?.reason ?? cause,
            },
          ),
  };
}
