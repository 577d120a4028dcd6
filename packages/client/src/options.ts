/** Options every call takes. */
export interface CallOptions {
  /** Cancels the call and releases its connection. */
  signal?: AbortSignal;
  /** Timeout of this call in milliseconds (for watches and log streams: until the answer starts). */
  timeoutMs?: number;
}

/** Options of list-like calls. */
export interface ListOptions extends CallOptions {
  /** e.g. `app=web,tier!=db` (build one with `labelSelector()` of `@kin/resources`). */
  labelSelector?: string;
  /** e.g. `status.phase=Running`. */
  fieldSelector?: string;
  /** At most this many items; the rest through `continue`. */
  limit?: number;
  /** The `metadata.continue` token of the previous page. */
  continue?: string;
  /** `resourceVersion` semantics of the API server (`0` = any cached version). */
  resourceVersion?: string;
  resourceVersionMatch?: "Exact" | "NotOlderThan";
}

/** Options of writes. */
export interface WriteOptions extends CallOptions {
  /** Validate and answer as if written, without writing (`dryRun=All`). */
  dryRun?: boolean;
  /** Who is writing, recorded in `managedFields`. */
  fieldManager?: string;
  /** What the server does with unknown or duplicate fields. Server default: `Warn`... `Strict` in kubectl. */
  fieldValidation?: "Strict" | "Warn" | "Ignore";
}

/** Options of {@link ResourceApi.apply}. */
export interface ApplyOptions extends Omit<WriteOptions, "fieldManager"> {
  /** Required: the manager whose fields the configuration declares. */
  fieldManager: string;
  /** Take ownership of fields another manager owns instead of failing with a conflict. */
  force?: boolean;
}

/** Options of deletes. */
export interface DeleteOptions extends CallOptions {
  /** `Foreground`, `Background` (the server's default for most kinds) or `Orphan` dependents. */
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  /** Seconds before the object is deleted; 0 deletes at once. */
  gracePeriodSeconds?: number;
  /** Delete only if the object still has this uid / resourceVersion (409 otherwise). */
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** The query parameters of a write. */
export function writeQuery(options: WriteOptions | undefined): Record<string, string | undefined> {
  return {
    dryRun: options?.dryRun ? "All" : undefined,
    fieldManager: options?.fieldManager,
    fieldValidation: options?.fieldValidation,
  };
}

/** The query parameters of a list. */
export function listQuery(
  options: ListOptions | undefined,
): Record<string, string | number | undefined> {
  return {
    labelSelector: options?.labelSelector,
    fieldSelector: options?.fieldSelector,
    limit: options?.limit,
    continue: options?.continue,
    resourceVersion: options?.resourceVersion,
    resourceVersionMatch: options?.resourceVersionMatch,
  };
}

/** The `DeleteOptions` body of a delete, or `undefined` when there is nothing to say. */
export function deleteBody(options: DeleteOptions | undefined): object | undefined {
  if (!options) return undefined;
  const { propagationPolicy, gracePeriodSeconds, preconditions, dryRun } = options;
  if (
    propagationPolicy === undefined &&
    gracePeriodSeconds === undefined &&
    preconditions === undefined &&
    !dryRun
  )
    return undefined;
  return {
    apiVersion: "v1",
    kind: "DeleteOptions",
    ...(propagationPolicy ? { propagationPolicy } : {}),
    ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
    ...(preconditions ? { preconditions } : {}),
    ...(dryRun ? { dryRun: ["All"] } : {}),
  };
}
