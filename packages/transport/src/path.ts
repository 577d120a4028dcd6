// RFC 3986 `pchar` (unreserved, sub-delims, ":" and "@"): the characters a segment may hold as they
// are. Anything else (space, `\`, `"`, non-ASCII, …) must come percent-encoded, because a URL parser
// would change it — WHATWG's turns `\` into `/` and drops tabs and newlines.
const PLAIN_PATH = /^(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@]+)+$/;
const SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*$/;

/**
 * Checks a request path before it is put in a URL: absolute, no query or fragment, every segment
 * made of URL path characters or percent escapes, and none that is empty, `.`, `..` (also encoded,
 * as `%2e%2E`), or that decodes to something holding `/` or `\` — so a name like `../secrets`,
 * `a/b` or `x\..\..\secrets` can never address another resource, and the path reaches the server
 * exactly as written (no URL parser normalises it on the way).
 * @throws {TypeError} naming the path and the problem.
 */
export function assertSafePath(path: string): void {
  // The common case, checked in one pass: plain characters only (no `%`, so nothing decodes to `/`),
  // no empty segment, and no `/.` (so no `.` or `..` segment).
  if (PLAIN_PATH.test(path) && !path.includes("/.")) return;
  const problem = (what: string) => new TypeError(`request path ${JSON.stringify(path)} ${what}`);
  if (!path.startsWith("/")) throw problem('must start with "/"');
  if (/[?#]/.test(path)) throw problem("must not hold a query or fragment (use the query option)");
  if (path === "/") return;
  for (const segment of path.slice(1).split("/")) {
    if (segment.includes("\\")) throw problem(`has a backslash in ${JSON.stringify(segment)}`);
    if (/%(?![0-9A-Fa-f]{2})/.test(segment)) {
      throw problem(`has a malformed escape in ${JSON.stringify(segment)}`);
    }
    if (!SEGMENT.test(segment)) {
      throw problem(`has a character that must be percent-encoded in ${JSON.stringify(segment)}`);
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw problem(`has a malformed escape in ${JSON.stringify(segment)}`);
    }
    if (
      decoded === "" ||
      decoded === "." ||
      decoded === ".." ||
      decoded.includes("/") ||
      decoded.includes("\\")
    ) {
      throw problem(`has an unsafe segment ${JSON.stringify(segment)}`);
    }
  }
}

/**
 * The request target (path and query) for `path` below a server URL's path `prefix` (`""` or
 * `/k8s/clusters/c-1`): the prefix is kept whatever the path, and `path` is checked by
 * {@link assertSafePath}, so the target is in the form a URL parser leaves as it is.
 */
export function requestTarget(prefix: string, path: string, query: string): string {
  assertSafePath(path);
  return `${prefix}${path}${query}`;
}

/** A server URL's path as a prefix for request paths: `/k8s/clusters/c-1/` → `/k8s/clusters/c-1`, `/` → ``. */
export function pathPrefix(server: URL): string {
  return server.pathname.replace(/\/+$/, "");
}
