// The base of @kin/resources' errors. kin's root error class, `KinError`, lives in
// @kin/credentials, which this pure package may not depend on; so instead of extending it, these
// errors carry its brand, which `isKinError()` and `instanceof KinError` check (see
// packages/credentials/src/kinError.ts).

/** The brand of a kin error (the same symbol in every package and every copy of one). */
const KIN_ERROR = Symbol.for("kin.error");

/**
 * A kin error thrown by @kin/resources: its `name` says which, its message the field or text concerned.
 * @internal
 */
export abstract class ResourcesError extends Error {
  constructor(message?: string) {
    super(message);
    // The brand isKinError() checks: not enumerable, so never printed or serialized. Set here, not
    // as a computed class member, so that a bundler drops the class from apps that never use it.
    Object.defineProperty(this, KIN_ERROR, { value: true });
  }
}
