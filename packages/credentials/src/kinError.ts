// The root of every error kin throws. It lives here because @kin/credentials is the one package
// that every package with runtime code depends on (transport, discovery, client, runtime) while
// depending on nothing itself; @kin/resources, which depends on nothing either and may not import
// this package, marks its errors with the same brand instead of extending the class.

/**
 * The brand of a kin error: `Symbol.for` gives every copy of every kin package the same symbol,
 * so the check below holds across two installed copies of a package, where `instanceof` would not.
 */
const KIN_ERROR = Symbol.for("kin.error");

/**
 * Whether `value` is an error thrown by a kin package (any copy of it): the brand check, not the
 * prototype chain.
 */
export function isKinError(value: unknown): value is KinError {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { [KIN_ERROR]?: unknown })[KIN_ERROR] === true
  );
}

/**
 * The root of every error kin throws: `CredentialsError`, the transport's `TransportError` and its
 * kinds (`KubeApiError`, `ConnectionError`, …), `DiscoveryError`, and @kin/resources'
 * `InvalidNameError`, `InvalidSelectorError`, `InvalidApplyConfigurationError`. `name` says which;
 * each names the request, path or field it concerns and keeps the original error in `cause`.
 *
 * `error instanceof KinError` is {@link isKinError}: true for every kin error, from any copy of any
 * kin package. Subclasses keep the ordinary `instanceof` (their own copy's prototype chain).
 */
export class KinError extends Error {
  override readonly name: string = "KinError";

  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    // The brand isKinError() checks: not enumerable, so never printed or serialized. Set here, not
    // as a computed class member, so that a bundler can still drop the class when it is unused.
    Object.defineProperty(this, KIN_ERROR, { value: true });
  }

  // `this` is the class `instanceof` was asked about: KinError itself, or a subclass.
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: a subclass must keep the ordinary check.
    if (this !== KinError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isKinError(value);
  }
}
