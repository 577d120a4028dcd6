import {
  type FetchedToken,
  RefreshingBearerProvider,
  type TokenProvider,
  tokenProblem,
} from "./auth.js";
import { CredentialsError } from "./errors.js";
import { FILE_LIMITS, readText } from "./files.js";

/** Options of {@link tokenFileProvider}. */
export interface TokenFileOptions {
  /**
   * How long a read token is used before the file is read again, in milliseconds.
   * Default 60 000: client-go's `cachingTokenSource` period, half of the kubelet's refresh window.
   */
  refreshIntervalMs?: number;
  /**
   * Called when a re-read fails while a token read earlier is still held: that token goes on being
   * used (the kubelet may be mid-rotation) and the error is reported here. Default: a process
   * warning (`process.emitWarning`). A failure with no token held is thrown instead.
   */
  onRefreshError?: (error: CredentialsError) => void;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Reads and validates a token file: at most 64 KiB, trimmed, not empty, sendable in a header. */
export async function readTokenFile(path: string): Promise<string> {
  const token = (await readText(path, "token file", FILE_LIMITS.token)).trim();
  const problem = tokenProblem(token);
  if (problem) throw new CredentialsError("InvalidFile", path, `token file ${path} ${problem}`);
  return token;
}

const warn = (error: CredentialsError) =>
  process.emitWarning(`${error.message}; using the token read before`, "KinCredentialsWarning");

class TokenFile extends RefreshingBearerProvider {
  readonly #path: string;
  readonly #interval: number;
  readonly #clock: () => number;
  readonly #onRefreshError: (error: CredentialsError) => void;

  constructor(path: string, options: TokenFileOptions) {
    super();
    this.#path = path;
    this.#interval = options.refreshIntervalMs ?? 60_000;
    this.#clock = options.now ?? Date.now;
    this.#onRefreshError = options.onRefreshError ?? warn;
  }

  protected now(): number {
    return this.#clock();
  }

  protected async fetchToken(previous: string | undefined): Promise<FetchedToken> {
    // After a failure too, the next read waits a full interval, so a broken file is not re-read per request.
    const validUntil = this.#clock() + this.#interval;
    try {
      return { token: await readTokenFile(this.#path), validUntil };
    } catch (error) {
      if (previous === undefined) throw error;
      this.#onRefreshError(error as CredentialsError);
      return { token: previous, validUntil };
    }
  }

  protected describe(): Record<string, string> {
    return { file: this.#path };
  }
}

/**
 * A {@link TokenProvider} that reads a token file (a projected service-account token) and reads it
 * again after `refreshIntervalMs` or after `invalidate()`, so rotated tokens are used. Reads are
 * asynchronous and shared by concurrent callers. The token never shows in `JSON.stringify` or `util.inspect`.
 */
export function tokenFileProvider(path: string, options: TokenFileOptions = {}): TokenProvider {
  return new TokenFile(path, options);
}
