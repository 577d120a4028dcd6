/** Why a discovery lookup failed. */
export type DiscoveryErrorCode =
  /** Nothing the server serves matches what was asked for. */
  | "NotFound"
  /** More than one resource matches; `candidates` lists them. */
  | "Ambiguous";

/** A failed lookup: the message names what was looked up and what the server offered. */
export class DiscoveryError extends Error {
  override readonly name = "DiscoveryError";
  readonly code: DiscoveryErrorCode;
  /** For `Ambiguous`: every match, as `plural.group` strings. */
  readonly candidates: readonly string[];

  constructor(code: DiscoveryErrorCode, message: string, candidates: readonly string[] = []) {
    super(message);
    this.code = code;
    this.candidates = candidates;
  }
}
