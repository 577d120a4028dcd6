/** The key Node's `util.inspect` looks up, without importing `node:util`. */
export const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

/**
 * A secret string (a client key): `reveal()` gives it to whoever must use it; `JSON.stringify`,
 * `util.inspect` and string conversion show only `<redacted>`.
 */
export class Redacted {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself, for the code that must use it (the TLS handshake). */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return "<redacted>";
  }

  toString(): string {
    return "<redacted>";
  }

  [inspectSymbol](): string {
    return "Redacted(<redacted>)";
  }
}
