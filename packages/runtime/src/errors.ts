import { KinError } from "@kin/client";

/**
 * A call the object cannot take in its state: running an informer or an elector that is running, a
 * controller a second time, starting a factory twice.
 */
export class InvalidStateError extends KinError {
  override readonly name = "InvalidStateError";
}

/** Why leadership ended, as `LeadershipLostError.reason`. */
export type LeadershipLostReason = "RenewDeadlineExceeded" | "HeldByAnother";

/**
 * The reason of the leader's signal (`signal.reason` in `onStartedLeading`) when leadership was
 * lost: the lease could not be renewed within the renew deadline, or another candidate holds it.
 * (When `run`'s own signal aborts, the leader's signal carries that signal's reason instead.)
 */
export class LeadershipLostError extends KinError {
  override readonly name = "LeadershipLostError";

  constructor(
    /** `namespace/name` of the Lease. */
    readonly lease: string,
    readonly reason: LeadershipLostReason,
    /** The holder seen on the lease, for `HeldByAnother`. */
    readonly holder?: string,
  ) {
    super(
      reason === "HeldByAnother"
        ? `leadership of lease ${lease} lost: it is held by ${JSON.stringify(holder)}`
        : `leadership of lease ${lease} lost: not renewed within the renew deadline`,
    );
  }
}
