import { request as httpsRequest } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpsListener, listen } from "../adapters/httpsListener.js";
import { createApiServer } from "../server/apiServer.js";

const BASE = "https://kubernetes.default.svc";
const lines: string[] = [];
const api = createApiServer({ log: (line) => lines.push(line) });
const token = api.issueToken();
for (let i = 0; i < 20; i++)
  api.add({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `pod-${i}`, namespace: "default" },
    spec: { containers: [{ name: "c", image: "nginx" }] },
  } as never);

const call = (path: string, headers: Record<string, string> = {}) =>
  api.handle(
    new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } }),
  );

/** A raw HTTPS GET: the status, the body bytes that arrived and how it ended. */
function raw(
  listener: HttpsListener,
  path: string,
  options: { token?: string; timeoutMs?: number } = {},
): Promise<{ status?: number; body: Buffer; error?: NodeJS.ErrnoException & { code?: string } }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let status: number | undefined;
    const req = httpsRequest(`${listener.url}${path}`, {
      ca: listener.ca,
      agent: false,
      headers: { authorization: `Bearer ${options.token ?? token}` },
      timeout: options.timeoutMs,
    });
    const done = (error?: Error) => resolve({ status, body: Buffer.concat(chunks), error });
    req.on("timeout", () =>
      req.destroy(Object.assign(new Error("client timeout"), { code: "TIMEOUT" })),
    );
    req.on("error", done);
    req.on("response", (res) => {
      status = res.statusCode;
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done());
      res.on("error", done);
      res.on("aborted", () => done(Object.assign(new Error("aborted"), { code: "ECONNRESET" })));
      res.on("close", () => {
        if (!res.complete) done(Object.assign(new Error("closed early"), { code: "ECONNRESET" }));
      });
    });
    req.end();
  });
}

describe("answer-level faults through handle()", () => {
  it("answers 429 with Retry-After and a TooManyRequests Status, and logs it without the token", async () => {
    lines.length = 0;
    api.faults.set([
      {
        match: { verb: "list", path: "/api/v1/namespaces/*/pods", times: 1 },
        fault: { status: 429, retryAfterSeconds: 2 },
      },
    ]);
    const first = await call("/api/v1/namespaces/default/pods");
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("2");
    expect(await first.json()).toMatchObject({
      kind: "Status",
      reason: "TooManyRequests",
      code: 429,
      details: { retryAfterSeconds: 2 },
    });
    expect((await call("/api/v1/namespaces/default/pods")).status).toBe(200);
    expect(lines).toEqual([
      "fault #0: status 429 Retry-After 2 ← GET /api/v1/namespaces/default/pods",
      expect.stringMatching(/^GET \/api\/v1\/namespaces\/default\/pods → 429 \(\d+ ms\)$/),
      expect.stringMatching(/^GET \/api\/v1\/namespaces\/default\/pods → 200 \(\d+ ms\)$/),
    ]);
    expect(lines.join("\n")).not.toContain(token);
    expect(api.faults.counts()).toEqual({ "#0": 1 });
    api.faults.clear();
  });

  it("answers 500 and 503 with the server's Status", async () => {
    api.faults.set([
      { match: { path: "/api", times: 1 }, fault: { status: 503 } },
      { match: { path: "/api", times: 1 }, fault: { status: 500, message: "etcd is down" } },
    ]);
    const a = await call("/api");
    expect(a.status).toBe(503);
    expect(await a.json()).toMatchObject({ reason: "ServiceUnavailable", code: 503 });
    const b = await call("/api");
    expect(await b.json()).toMatchObject({
      reason: "InternalError",
      code: 500,
      message: "etcd is down",
    });
    expect((await call("/api")).status).toBe(200);
    api.faults.clear();
  });

  it("adds latency", async () => {
    api.faults.set([{ match: { path: "/version" }, fault: { delayMs: 150 } }]);
    const started = performance.now();
    expect((await call("/version")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    api.faults.clear();
  });

  it("expires the request's token: 401 now and later, other tokens unaffected", async () => {
    const doomed = api.issueToken();
    api.faults.set([
      {
        match: { verb: "get", path: "/api/v1/namespaces/default/pods/*", times: 1 },
        fault: { expireToken: true },
      },
    ]);
    const get = (t: string) =>
      api.handle(
        new Request(`${BASE}/api/v1/namespaces/default/pods/pod-1`, {
          headers: { authorization: `Bearer ${t}` },
        }),
      );
    const first = await get(doomed);
    expect(first.status).toBe(401);
    expect(await first.json()).toMatchObject({ reason: "Unauthorized" });
    expect((await get(doomed)).status).toBe(401);
    expect((await get(token)).status).toBe(200);
    api.faults.clear();
  });

  it("answers the next watch with a 410 ERROR event, then watches normally", async () => {
    api.faults.set([{ match: { times: 1 }, fault: { watchGone: true } }]);
    expect((await call("/api/v1/namespaces/default/pods")).status).toBe(200); // not a watch
    const gone = await call(
      `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${api.resourceVersion}`,
    );
    expect(gone.status).toBe(200);
    const [event, ...rest] = (await gone.text()).trim().split("\n");
    expect(rest).toEqual([]);
    expect(JSON.parse(event as string)).toMatchObject({
      type: "ERROR",
      object: {
        kind: "Status",
        code: 410,
        reason: "Expired",
        message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/),
      },
    });
    const ok = await call("/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1");
    const text = await ok.text();
    expect(text.trim().split("\n")).toHaveLength(20);
    api.faults.clear();
  });

  it("ends a watch after N events and frees its watcher", async () => {
    api.faults.set([{ fault: { cutWatchAfterEvents: 3 } }]);
    const before = api.watchCount;
    const watch = await call("/api/v1/namespaces/default/pods?watch=1");
    const events = (await watch.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(["ADDED", "ADDED", "ADDED"]);
    expect(api.watchCount).toBe(before);
    api.faults.clear();
  });

  it("cuts a watch with a reset: the body errors after N events", async () => {
    api.faults.set([{ fault: { cutWatchAfterEvents: 2, reset: true } }]);
    const watch = await call("/api/v1/namespaces/default/pods?watch=1");
    await expect(watch.text()).rejects.toThrow("watch cut after 2 events");
    api.faults.clear();
  });

  it("rejects a bad plan with the rule and field named", () => {
    expect(() => api.faults.set([{ fault: { stal: true } as never }])).toThrow(
      'fault plan rule 0: unknown field "fault.stal"',
    );
    expect(() => createApiServer({ faults: [{ fault: {} }] })).toThrow(
      "fault plan rule 0: no fault",
    );
  });
});

describe("connection-level faults through the HTTPS listener", () => {
  let listener: HttpsListener;
  beforeAll(async () => {
    listener = await listen(api);
  });
  afterAll(async () => {
    api.faults.clear();
    await listener.close();
  });

  it("resets the connection after 100 bytes of the body", async () => {
    api.faults.set([{ match: { verb: "list", times: 1 }, fault: { resetAfterBytes: 100 } }]);
    const cut = await raw(listener, "/api/v1/namespaces/default/pods");
    expect(cut.status).toBe(200);
    expect(cut.body.length).toBe(100);
    expect(cut.error?.code).toBe("ECONNRESET");
    const whole = await raw(listener, "/api/v1/namespaces/default/pods");
    expect(whole.error).toBeUndefined();
    expect(JSON.parse(whole.body.toString()).items).toHaveLength(20);
  });

  it("cuts the connection before any answer with resetAfterBytes 0", async () => {
    api.faults.set([{ match: { path: "/version", times: 1 }, fault: { resetAfterBytes: 0 } }]);
    const cut = await raw(listener, "/version");
    expect(cut.status).toBeUndefined();
    expect(cut.error?.code).toBe("ECONNRESET");
    expect(cut.error?.message).toBe("socket hang up");
  });

  it("stalls: nothing comes until the client gives up, and the server lets go", async () => {
    lines.length = 0;
    api.faults.set([{ match: { path: "/api", times: 1 }, fault: { stall: true } }]);
    const stalled = await raw(listener, "/api", { timeoutMs: 300 });
    expect(stalled.status).toBeUndefined();
    expect(stalled.error?.code).toBe("TIMEOUT");
    // The client went away: the stalled request ends (logged as a cut connection).
    await expect
      .poll(() => lines.some((l) => l.startsWith("GET /api → connection cut")))
      .toBe(true);
    expect((await raw(listener, "/api")).status).toBe(200);
  });

  it("cuts a watch after N events at the connection with reset", async () => {
    api.faults.set([{ match: { times: 1 }, fault: { cutWatchAfterEvents: 4, reset: true } }]);
    const cut = await raw(listener, "/api/v1/namespaces/default/pods?watch=true");
    expect(cut.status).toBe(200);
    expect(cut.body.toString().trim().split("\n")).toHaveLength(4);
    expect(cut.error?.code).toBe("ECONNRESET");
  });
});
