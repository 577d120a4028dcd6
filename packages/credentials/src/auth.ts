import { inspectSymbol } from "./redact.js";

/** Produces the `Authorization` header; the transport asks before each request. */
export interface AuthProvider {
  readonly type: "bearer" | "basic";
  /** The full `Authorization` header value, e.g. `Bearer eyJ…`. */
  authorization(): Promise<string>;
  /**
   * Tells the provider the server refused what it gave (a 401): the next call fetches fresh
   * credentials (re-reads the token file, re-runs the exec plugin). Static credentials ignore it.
   */
  invalidate(): void;
}

/** An {@link AuthProvider} of bearer tokens. */
export interface TokenProvider extends AuthProvider {
  readonly type: "bearer";
  /** The current token. Concurrent callers share one fetch. */
  token(): Promise<string>;
}

/** Shared shape of bearer providers: `authorization()` from `token()`, and redaction. */
export abstract class BearerProvider implements TokenProvider {
  readonly type = "bearer";
  abstract token(): Promise<string>;
  abstract invalidate(): void;
  /** What JSON and inspect show instead of the token. */
  protected abstract describe(): Record<string, string>;

  async authorization(): Promise<string> {
    return `Bearer ${await this.token()}`;
  }

  toJSON(): object {
    return { type: this.type, ...this.describe() };
  }

  [inspectSymbol](): string {
    return `${this.constructor.name} ${JSON.stringify(this.describe())}`;
  }
}

/** A fetched token and until when it may be used (milliseconds since the epoch; `Infinity`: until a 401). */
export interface FetchedToken {
  readonly token: string;
  readonly validUntil: number;
}

/**
 * A bearer provider that fetches its token (file, exec plugin), keeps it while it is valid, fetches
 * again after it expires or after `invalidate()` (a 401), and shares one fetch between concurrent callers.
 */
export abstract class RefreshingBearerProvider extends BearerProvider {
  #token: string | undefined;
  #validUntil = 0;
  #stale = true;
  #pending: Promise<string> | undefined;

  /** Fetches a token; `previous` is the one held, if any. */
  protected abstract fetchToken(previous: string | undefined): Promise<FetchedToken>;
  /** The clock. */
  protected abstract now(): number;

  token(): Promise<string> {
    if (this.#token !== undefined && !this.#stale && this.now() < this.#validUntil)
      return Promise.resolve(this.#token);
    this.#pending ??= this.#refresh().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  invalidate(): void {
    this.#stale = true;
  }

  async #refresh(): Promise<string> {
    const { token, validUntil } = await this.fetchToken(this.#token);
    this.#token = token;
    this.#validUntil = validUntil;
    this.#stale = false;
    return token;
  }
}

class StaticToken extends BearerProvider {
  readonly #token: string;

  constructor(token: string) {
    super();
    this.#token = token;
  }

  token(): Promise<string> {
    return Promise.resolve(this.#token);
  }

  invalidate(): void {}

  protected describe(): Record<string, string> {
    return { token: "<redacted>" };
  }
}

/**
 * Why a (trimmed) bearer token cannot be sent, or `undefined` when it can. A token is visible ASCII
 * (RFC 6750's b64token is a subset): a newline or any other control character would break the
 * `Authorization` header, a space would cut the token at the server. The message never shows the token.
 */
export function tokenProblem(token: string): string | undefined {
  if (token === "") return "is empty";
  const at = token.search(/[^\x21-\x7e]/);
  if (at >= 0)
    return `holds a character that cannot be sent in an Authorization header (at position ${at + 1}; a token is visible ASCII only)`;
  return undefined;
}

/**
 * A {@link TokenProvider} for a token you already hold (a test, a kubeconfig's `token`). It never
 * changes, so a 401 is final. The token is kept out of JSON and inspect.
 * @throws {TypeError} when the token is empty or holds a character a header cannot carry (see {@link tokenProblem}).
 */
export function staticTokenProvider(token: string): TokenProvider {
  if (typeof token !== "string") throw new TypeError("the bearer token must be a string");
  const trimmed = token.trim();
  const problem = tokenProblem(trimmed);
  if (problem) throw new TypeError(`the bearer token ${problem}`);
  return new StaticToken(trimmed);
}

class BasicAuth implements AuthProvider {
  readonly type = "basic";
  readonly #header: string;
  readonly #username: string;

  constructor(username: string, password: string) {
    this.#username = username;
    this.#header = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
  }

  authorization(): Promise<string> {
    return Promise.resolve(this.#header);
  }

  invalidate(): void {}

  toJSON(): object {
    return { type: this.type, username: this.#username, password: "<redacted>" };
  }

  [inspectSymbol](): string {
    return `BasicAuth ${JSON.stringify(this.toJSON())}`;
  }
}

/** HTTP basic authentication (a kubeconfig's `username`/`password`); the password is kept out of JSON and inspect. */
export function basicAuth(username: string, password: string): AuthProvider {
  return new BasicAuth(username, password);
}
