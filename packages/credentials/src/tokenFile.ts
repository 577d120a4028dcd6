import { CredentialsError } from "./errors.js";
import { readText } from "./files.js";

/** A source of bearer tokens the transport asks before each request. */
export interface TokenProvider {
  readonly type: "bearer";
  /** The current token. Concurrent callers share one read. */
  token(): Promise<string>;
  /** Forget the cached token, so the next {@link token} call reads it again (the transport calls this on a 401). */
  invalidate(): void;
}

/** Options of {@link tokenFileProvider}. */
export interface TokenFileOptions {
  /**
   * How long a read token is used before the file is read again, in milliseconds.
   * Default 60 000: client-go's `cachingTokenSource` period, half of the kubelet's refresh window.
   */
  refreshIntervalMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

const inspect = Symbol.for("nodejs.util.inspect.custom");

/** Reads and validates a token file: trimmed, not empty. */
async function readTokenFile(path: string): Promise<string> {
  const token = (await readText(path, "token file")).trim();
  if (token === "") throw new CredentialsError("InvalidFile", path, `token file ${path} is empty`);
  return token;
}

class TokenFile implements TokenProvider {
  readonly type = "bearer";
  readonly #path: string;
  readonly #interval: number;
  readonly #now: () => number;
  #token: string | undefined;
  #readAt = 0;
  #stale = true;
  #pending: Promise<string> | undefined;

  constructor(path: string, options: TokenFileOptions) {
    this.#path = path;
    this.#interval = options.refreshIntervalMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  token(): Promise<string> {
    if (this.#token !== undefined && !this.#stale && this.#now() - this.#readAt < this.#interval) {
      return Promise.resolve(this.#token);
    }
    this.#pending ??= this.#read().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  invalidate(): void {
    this.#stale = true;
  }

  async #read(): Promise<string> {
    const token = await readTokenFile(this.#path);
    this.#token = token;
    this.#readAt = this.#now();
    this.#stale = false;
    return token;
  }

  toJSON(): object {
    return { type: this.type, file: this.#path };
  }

  [inspect](): string {
    return `TokenFile { file: ${JSON.stringify(this.#path)} }`;
  }
}

/**
 * A {@link TokenProvider} that reads a token file (a projected service-account token) and reads it
 * again after `refreshIntervalMs` or after {@link TokenProvider.invalidate}, so rotated tokens are used.
 * The token is held in a private field: it never shows in `JSON.stringify` or `util.inspect`.
 */
export function tokenFileProvider(path: string, options: TokenFileOptions = {}): TokenProvider {
  return new TokenFile(path, options);
}

class StaticToken implements TokenProvider {
  readonly type = "bearer";
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  token(): Promise<string> {
    return Promise.resolve(this.#token);
  }

  invalidate(): void {}

  toJSON(): object {
    return { type: this.type };
  }

  [inspect](): string {
    return "StaticToken { <redacted> }";
  }
}

/**
 * A {@link TokenProvider} for a token you already hold (a test, a token from a secret store).
 * It never changes, so a 401 is final. Like the file provider it keeps the token out of JSON and inspect.
 */
export function staticTokenProvider(token: string): TokenProvider {
  const trimmed = token.trim();
  if (trimmed === "") throw new TypeError("the bearer token is empty");
  return new StaticToken(trimmed);
}
