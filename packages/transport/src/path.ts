const PLAIN_PATH = /^(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@]+)+$/;

/**
 * Checks a request path before it is put in a URL: absolute, no query or fragment, and no segment
 * that is empty, `.`, `..`, or that decodes to contain `/` — so a name like `../secrets` or `a/b`
 * can never address another resource.
 * @throws {TypeError} naming the path and the problem.
 */
export function assertSafePath(path: string): void {
  // The common case, checked in one pass: unreserved and sub-delim characters only (no `%`, so
  // nothing decodes to `/`), no empty segment, and no `/.` (so no `.` or `..` segment).
  if (PLAIN_PATH.test(path) && !path.includes("/.")) return;
  const problem = (what: string) => new TypeError(`request path ${JSON.stringify(path)} ${what}`);
  if (!path.startsWith("/")) throw problem('must start with "/"');
  if (/[?#]/.test(path)) throw problem("must not hold a query or fragment (use the query option)");
  if (path === "/") return;
  for (const segment of path.slice(1).split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw problem(`has a malformed escape in ${JSON.stringify(segment)}`);
    }
    if (decoded === "" || decoded === "." || decoded === ".." || decoded.includes("/")) {
      throw problem(`has an unsafe segment ${JSON.stringify(segment)}`);
    }
  }
}
