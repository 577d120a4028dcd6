import { KinError } from "./kinError.js";

/** What went wrong while loading credentials. */
export type CredentialsErrorCode =
  /** A `KUBERNETES_SERVICE_*` variable is unset or empty: this process is not in a pod. */
  | "NotInCluster"
  /** An environment variable holds a value that cannot be used (e.g. a port out of range). */
  | "InvalidEnv"
  /** A file could not be read (missing, unreadable, a directory). */
  | "FileUnreadable"
  /** A file was read but its content is unusable (empty token, no PEM certificate). */
  | "InvalidFile"
  /** A kubeconfig (or an option) is malformed or refers to something that is not there: the field is in `source`. */
  | "InvalidConfig"
  /** An exec credential plugin failed, timed out or answered something unusable. */
  | "ExecFailed"
  /** `loadCredentials()` found no way in: the kubeconfig and in-cluster errors are in `causes`. */
  | "NoCredentials";

/**
 * Every failure of `@kin/credentials`. `source` names the variable or file concerned;
 * the original error, if any, is kept in `cause`. Messages never contain secrets.
 */
export class CredentialsError extends KinError {
  override readonly name = "CredentialsError";
  readonly code: CredentialsErrorCode;
  /** The environment variable or file path the error is about. */
  readonly source: string;

  constructor(
    code: CredentialsErrorCode,
    source: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.source = source;
  }
}
