import { credentialsFor } from "@kin/mock-server";
import { createTransport } from "@kin/transport";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type WatchTiming, watchResource } from "./watch.js";

// A server that ends every watch at once with 200 and an empty body (issue 19): the watch loop must
// back off as client-go's reflector does, not ask again at once (3,623 requests in 3 s before).
const SERVER = "https://kubernetes.default.svc";
const PATH = "/api/v1/namespaces/default/configmaps";
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const transport = createTransport(credentialsFor({ url: SERVER }, "t"), {
  fetch: (...args) => globalThis.fetch(...args),
  rateLimit: false,
});
const event = (rv: string) =>
  `${JSON.stringify({ type: "ADDED", object: { metadata: { name: "a", resourceVersion: rv } } })}\n`;

/**
 * Serves `answers[i]` to the i-th watch (an empty body once they run out) and stops the watch at
 * the `stopAt`-th request; the watch's waits are recorded instead of slept, with jitter `random`.
 */
async function run(answers: string[], stopAt: number, random = 0) {
  const requests: string[] = [];
  const stop = new AbortController();
  server.use(
    http.get(`${SERVER}${PATH}`, ({ request }) => {
      const n = requests.push(new URL(request.url).searchParams.get("resourceVersion") ?? "");
      if (n >= stopAt) stop.abort();
      return new HttpResponse(answers[n - 1] ?? "", { status: 200 });
    }),
  );
  const waits: number[] = [];
  let clock = 0;
  const timing: WatchTiming = {
    now: () => clock,
    random: () => random,
    pause: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
  };
  const names: string[] = [];
  for await (const e of watchResource(transport, PATH, { signal: stop.signal }, timing)) {
    names.push(e.object.metadata?.resourceVersion ?? "");
  }
  return { requests, waits, names };
}

describe("a server that ends every watch at once", () => {
  it("is asked again after waits that double from 800 ms to 30 s (client-go's reflector)", async () => {
    const { requests, waits } = await run([], 9);
    expect(requests).toHaveLength(9);
    expect(waits).toEqual([800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000]);
  });

  it("adds up to as much again of jitter", async () => {
    const { waits } = await run([], 3, 0.5);
    expect(waits).toEqual([1200, 2400]);
  });

  it("goes back to the first wait only after a watch that delivered something", async () => {
    const { requests, waits, names } = await run(["", "", event("7"), "", ""], 6);
    expect(names).toEqual(["7"]);
    // two empty watches (800, 1600), one with an event (no wait, reset), then empty ones from 800 again
    expect(waits).toEqual([800, 1600, 800, 1600]);
    expect(requests).toEqual(["", "", "", "7", "7", "7"]);
  });

  it("waits in real time too: the second request comes no sooner than 800 ms after the first", async () => {
    const times: number[] = [];
    const stop = new AbortController();
    server.use(
      http.get(`${SERVER}${PATH}`, () => {
        if (times.push(performance.now()) >= 2) stop.abort();
        return new HttpResponse("", { status: 200 });
      }),
    );
    for await (const _ of watchResource(transport, PATH, { signal: stop.signal })) {
      // no events
    }
    expect(times).toHaveLength(2);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(790);
  });
});

describe("a watch the server ends after a while", () => {
  it("is resumed at once, even without events (a quiet resource, the server's timeout)", async () => {
    const requests: number[] = [];
    const stop = new AbortController();
    let clock = 0;
    server.use(
      http.get(`${SERVER}${PATH}`, () => {
        clock += 60_000; // each watch lasts a minute
        if (requests.push(clock) >= 3) stop.abort();
        return new HttpResponse("", { status: 200 });
      }),
    );
    const waits: number[] = [];
    const timing: WatchTiming = {
      now: () => clock,
      random: () => 0,
      pause: async (ms) => {
        waits.push(ms);
      },
    };
    for await (const _ of watchResource(transport, PATH, { signal: stop.signal }, timing)) {
      // no events
    }
    expect(requests).toHaveLength(3);
    expect(waits).toEqual([]);
  });
});
