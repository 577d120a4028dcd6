/** What hooks are told about a request. Never headers or bodies, so never a secret. */
export interface RequestEvent {
  readonly method: string;
  readonly path: string;
  /** 0 for the first try, then 1, 2, … */
  readonly attempt: number;
}

export interface ResponseEvent extends RequestEvent {
  readonly status: number;
  readonly durationMs: number;
  /** Retries made before this answer (401 refreshes excluded). */
  readonly retries: number;
}

export interface RetryEvent extends RequestEvent {
  /** Why: `429`, `503`, `ECONNRESET`, … */
  readonly reason: string;
  readonly delayMs: number;
}

export interface ErrorEvent extends RequestEvent {
  readonly error: Error;
  readonly durationMs: number;
}

/** Observers of the transport's work (metrics, tracing, logs). Exceptions they throw are ignored. */
export interface TransportHooks {
  /** An answer arrived (any status), after retries. */
  onResponse?(event: ResponseEvent): void;
  /** A request is about to be sent again after `delayMs`. */
  onRetry?(event: RetryEvent): void;
  /** A request failed without an answer, or with an error status. */
  onError?(event: ErrorEvent): void;
}

/** The debug logger: one line per event on stderr, switched on by `KIN_DEBUG=1`. */
export function debugHooks(write: (line: string) => void): TransportHooks {
  return {
    onResponse: (e) =>
      write(
        `kin ${e.method} ${e.path} → ${e.status} (${e.durationMs.toFixed(1)} ms${e.retries ? `, ${e.retries} retries` : ""})`,
      ),
    onRetry: (e) =>
      write(`kin ${e.method} ${e.path} → retry ${e.attempt} in ${e.delayMs} ms after ${e.reason}`),
    onError: (e) =>
      write(
        `kin ${e.method} ${e.path} → ${e.error.name}: ${e.error.message} (${e.durationMs.toFixed(1)} ms)`,
      ),
  };
}

/** Calls every hook set for `name`, ignoring what they throw. */
export function combineHooks(all: TransportHooks[]): Required<TransportHooks> {
  const call =
    <K extends keyof TransportHooks>(name: K) =>
    (event: Parameters<Required<TransportHooks>[K]>[0]) => {
      for (const hooks of all) {
        try {
          (hooks[name] as ((e: typeof event) => void) | undefined)?.(event);
        } catch {
          // a broken observer must not break requests
        }
      }
    };
  return { onResponse: call("onResponse"), onRetry: call("onRetry"), onError: call("onError") };
}
