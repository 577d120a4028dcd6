// The one error of the patch and apply engines, carrying the HTTP answer the API server gives.

/** One apply conflict: the manager that owns the field and the field (`.spec.replicas`). */
export interface ApplyConflict {
  readonly manager: string;
  readonly field: string;
}

/** Options of {@link PatchError}. */
export interface PatchErrorOptions {
  /** The `Status.reason` the API server answers with; derived from `code` when absent. */
  readonly reason?: string;
  /** For 409: the conflicts. */
  readonly conflicts?: ApplyConflict[];
  /** What exactly went wrong when the server's message hides it (JSON patch failures). */
  readonly detail?: string;
  readonly cause?: unknown;
}

const REASONS: Readonly<Record<number, string>> = {
  400: "BadRequest",
  409: "Conflict",
  415: "UnsupportedMediaType",
  422: "Invalid",
  500: "InternalError",
};

/**
 * A patch or apply the API server would refuse. `message` is the server's own wording;
 * `code` and `reason` are what the server answers with.
 */
export class PatchError extends Error {
  /** HTTP code the server should answer with: 422 for invalid patches/results, 400 for malformed ones, 409 for apply conflicts (500 where the real server answers 500). */
  readonly code: number;
  /** The `Status.reason`: `Invalid`, `BadRequest`, `Conflict` or `InternalError`. */
  readonly reason: string;
  /** For 409: the conflicts; the message is the apiserver's "Apply failed with N conflict(s): …". */
  readonly conflicts?: { manager: string; field: string }[];
  /** The precise cause when the server's message is generic (e.g. `testing value /spec/replicas failed: test failed`); not in the server's answer. */
  readonly detail?: string;

  constructor(code: number, message: string, options: PatchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PatchError";
    this.code = code;
    this.reason = options.reason ?? REASONS[code] ?? "Unknown";
    if (options.conflicts) this.conflicts = options.conflicts;
    if (options.detail !== undefined) this.detail = options.detail;
  }
}
