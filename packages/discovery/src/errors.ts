import { KinError } from "@kin/credentials";

/** Why a discovery lookup failed. */
export type DiscoveryErrorCode =
  /** Nothing the server serves matches what was asked for. */
  | "NotFound"
  /** More than one resource matches; `candidates` lists them. */
  | "Ambiguous"
  /** `mode: "aggregated"` was asked for and the server answers only legacy discovery. */
  | "AggregatedNotServed";

/** A failed lookup (a `KinError`): the message names what was looked up and what the server offered. */
export class DiscoveryError extends KinError {
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
