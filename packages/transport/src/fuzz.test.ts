import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KubeApiError, StreamError } from "./errors.js";
import { pathPrefix, requestTarget } from "./path.js";
import { decodeWatch, WatchLineDecoder } from "./watchDecoder.js";

// Property tests, bounded so they fit CI: a fixed number of runs each (FUZZ_RUNS to raise it), a
// seed printed on failure so a counterexample can be replayed with `fc.assert(…, { seed })`.
const runs = Number(process.env.FUZZ_RUNS) || 300;
const request = { method: "GET", path: "/api/v1/pods?watch=true" };

/** Cuts `bytes` at the given (sorted, deduplicated) positions. */
function cut(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const points = [...new Set(at.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  return pieces;
}

async function decodeAll(chunks: Uint8Array[], maxEventBytes?: number) {
  const events: unknown[] = [];
  try {
    for await (const event of decodeWatch(
      (async function* () {
        yield* chunks;
      })(),
      request,
      { maxEventBytes },
    )) {
      events.push(event);
    }
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

const watchEvent = fc.record({
  type: fc.constantFrom("ADDED", "MODIFIED", "DELETED", "BOOKMARK"),
  object: fc.record({
    metadata: fc.record({ name: fc.string({ unit: "binary", maxLength: 40 }) }),
    data: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), {
      maxKeys: 4,
    }),
  }),
});

describe("watch decoder (fuzz)", () => {
  it("yields every event of any stream, whatever the chunk boundaries and blank lines", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(watchEvent, { maxLength: 20 }),
        fc.array(fc.constantFrom("\n", "\n\n", "\n \n", "\r\n"), { minLength: 20, maxLength: 20 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 30 }),
        async (events, separators, lastNewline, at) => {
          let text = events.map((e, i) => `${JSON.stringify(e)}${separators[i]}`).join("");
          if (!lastNewline && events.length > 0) text = text.replace(/\s+$/, "");
          const { events: decoded, error } = await decodeAll(cut(Buffer.from(text), at));
          expect(error).toBeUndefined();
          expect(decoded).toEqual(JSON.parse(JSON.stringify(events)));
        },
      ),
      { numRuns: runs },
    );
  });

  it("throws nothing but a StreamError (or the KubeApiError of an ERROR event) on any bytes, after every complete event before the fault", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(watchEvent, { maxLength: 5 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
        async (events, garbage, at, maxEventBytes) => {
          const good = events.map((e) => `${JSON.stringify(e)}\n`).join("");
          const bytes = Buffer.concat([Buffer.from(good), garbage]);
          const { events: decoded, error } = await decodeAll(cut(bytes, at), maxEventBytes);
          if (error !== undefined) {
            expect(
              error instanceof StreamError || error instanceof KubeApiError,
              String(error),
            ).toBe(true);
          }
          // Without a limit in the way, the events before the garbage all come out, in order.
          const limited = maxEventBytes !== undefined && good.length > 0;
          if (!limited) {
            expect(decoded.slice(0, events.length)).toEqual(JSON.parse(JSON.stringify(events)));
          }
        },
      ),
      { numRuns: runs },
    );
  });

  it("never holds more than maxEventBytes of a line that does not end", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4096 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 40 }),
        (limit, sizes) => {
          const decoder = new WatchLineDecoder(request, limit);
          let fed = 0;
          for (const size of sizes) {
            decoder.push(Buffer.alloc(size, 0x61));
            fed += size;
            if (fed > limit) {
              // refused as soon as the line passed the limit, never later
              expect(() => decoder.throwIfFailed()).toThrow(StreamError);
              return;
            }
            expect(() => decoder.throwIfFailed()).not.toThrow();
          }
        },
      ),
      { numRuns: runs },
    );
  });
});

// Segments a hostile name or path could hold: every spelling of a dot segment, separators raw and
// encoded, characters a URL parser changes or drops, and plain text.
const token = fc.constantFrom(
  ".",
  "..",
  "%2e",
  "%2E",
  ".%2e",
  "%2e.",
  "%2E%2e",
  "\\",
  "%5c",
  "%5C",
  "/",
  "%2f",
  "%2F",
  "?",
  "#",
  "%",
  "%zz",
  "%e0%80",
  " ",
  "\t",
  "\n",
  "\r",
  "ü",
  "日本",
  ":",
  "@",
  "~",
  "a",
  "pods",
  "x-1",
  "",
);
const hostilePath = fc.oneof(
  fc
    .array(
      fc.array(token, { maxLength: 4 }).map((t) => t.join("")),
      { maxLength: 6 },
    )
    .map((segments) => `/${segments.join("/")}`),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }).map((s) => `/api/v1/namespaces/default/pods/${s}`),
  fc
    .string({ unit: "binary", maxLength: 40 })
    .map((name) => `/api/v1/namespaces/default/pods/${encodeURIComponent(name)}`),
);
const prefix = fc
  .array(fc.constantFrom("k8s", "clusters", "c-1", "..", ".", "%2e", "a%20b", ""), { maxLength: 4 })
  .map((segments) => pathPrefix(new URL(`https://proxy.example/${segments.join("/")}`)));

describe("request targets (fuzz)", () => {
  it("keep the server's prefix and every segment in its place, or are refused", () => {
    fc.assert(
      fc.property(prefix, hostilePath, (base, path) => {
        let target: string;
        try {
          target = requestTarget(base, path, "?watch=true");
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        // No URL parser normalises it: what is sent is what was checked.
        const url = new URL(`https://kubernetes.default.svc${target}`);
        expect(url.pathname + url.search).toBe(target);
        expect(url.host).toBe("kubernetes.default.svc");
        // The prefix is kept, and the path's segments follow it one for one.
        expect(target.startsWith(`${base}/`)).toBe(true);
        const segments = url.pathname.slice(base.length + 1).split("/");
        expect(segments).toEqual(path === "/" ? [""] : path.slice(1).split("/"));
        if (path === "/") return;
        for (const segment of segments) {
          const decoded = decodeURIComponent(segment);
          expect(["", ".", ".."]).not.toContain(decoded);
          expect(decoded).not.toMatch(/[/\\]/);
        }
      }),
      { numRuns: runs * 5 },
    );
  });

  it("let any name through to the server intact when it is encoded, unless it is unsafe", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (name) => {
        const path = `/api/v1/namespaces/default/configmaps/${encodeURIComponent(name)}`;
        let target: string;
        try {
          target = requestTarget("/p", path, "");
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          expect(["", ".", ".."].includes(name) || /[/\\]/.test(name)).toBe(true);
          return;
        }
        const last = new URL(`https://h${target}`).pathname.split("/").at(-1) ?? "";
        expect(decodeURIComponent(last)).toBe(name);
      }),
      { numRuns: runs * 5 },
    );
  });
});
