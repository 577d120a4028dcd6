import type { Credentials } from "@kin/credentials";
import { delay, HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectionError,
  KubeApiError,
  RequestAbortedError,
  RequestTimeoutError,
} from "./errors.js";
import type { RetryEvent } from "./hooks.js";
import { createTransport, type TransportOptions } from "./transport.js";

const SERVER = "https://kubernetes.default.svc";
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function credentials(tokens: string[] = ["t1"], url = SERVER) {
  const state = { invalidations: 0, index: 0 };
  const creds: Credentials = {
    server: url,
    namespace: "default",
    origin: { kind: "static" },
    auth: {
      type: "bearer",
      authorization: async () => `Bearer ${tokens[Math.min(state.index, tokens.length - 1)]}`,
      invalidate: () => {
        state.invalidations++;
        state.index++;
      },
    },
  };
  return { creds, state };
}

const fast = { backoffBaseMs: 1, backoffMaxMs: 2 };
const transportFor = (creds: Credentials, options: TransportOptions = {}) =>
  createTransport(creds, {
    fetch: (...args) => globalThis.fetch(...args),
    rateLimit: false,
    retry: fast,
    ...options,
  });
const status = (code: number, reason: string, message = reason) => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message,
  reason,
  code,
});
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("requests", () => {
  it("sends the bearer token, accepts JSON and serialises the query", async () => {
    let seen: Request | undefined;
    server.use(
      http.get(`${SERVER}/api/v1/namespaces/default/pods`, ({ request }) => {
        seen = request;
        return HttpResponse.json({ kind: "PodList", items: [] });
      }),
    );
    const list = await transportFor(credentials().creds).request<{ kind: string }>({
      path: "/api/v1/namespaces/default/pods",
      query: { labelSelector: "app=web,tier in (a,b)", limit: 5, continue: undefined },
    });
    expect(list.kind).toBe("PodList");
    expect(seen?.headers.get("authorization")).toBe("Bearer t1");
    expect(seen?.headers.get("accept")).toBe("application/json");
    expect(new URL(seen?.url ?? "").search).toBe(
      "?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&limit=5",
    );
  });

  it("sends a JSON body with its content type", async () => {
    server.use(
      http.patch(`${SERVER}/api/v1/namespaces/default/configmaps/x`, async ({ request }) =>
        HttpResponse.json({
          echo: await request.json(),
          type: request.headers.get("content-type"),
        }),
      ),
    );
    const answer = await transportFor(credentials().creds).request({
      method: "PATCH",
      path: "/api/v1/namespaces/default/configmaps/x",
      body: { data: { a: "1" } },
      contentType: "application/merge-patch+json",
    });
    expect(answer).toEqual({ echo: { data: { a: "1" } }, type: "application/merge-patch+json" });
  });

  it("keeps a path prefix of the server URL (e.g. a proxy's)", async () => {
    server.use(
      http.get(`${SERVER}/k8s/clusters/c-1/version`, () => HttpResponse.json({ major: "1" })),
    );
    expect(
      await transportFor(credentials(["t"], `${SERVER}/k8s/clusters/c-1/`).creds).request({
        path: "/version",
      }),
    ).toEqual({ major: "1" });
  });

  it.each([
    "/api/v1/namespaces/../secrets",
    "/api/v1/namespaces/x/pods/a%2Fb",
    "/api//pods",
    "api",
    "/api?watch=1",
    "/api/v1/namespaces/%2E%2E/x",
  ])("refuses the unsafe path %j before any request", async (path) => {
    await expect(transportFor(credentials().creds).request({ path })).rejects.toThrow(TypeError);
  });
});

describe("errors", () => {
  it("turns a Status answer into a KubeApiError that names the request", async () => {
    const body = {
      ...status(404, "NotFound", 'pods "y" not found'),
      details: { name: "y", kind: "pods" },
    };
    server.use(
      http.get(`${SERVER}/api/v1/namespaces/x/pods/y`, () =>
        HttpResponse.json(body, { status: 404 }),
      ),
    );
    const error = (await failure(
      transportFor(credentials().creds).request({ path: "/api/v1/namespaces/x/pods/y" }),
    )) as KubeApiError;
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.message).toBe(
      'GET /api/v1/namespaces/x/pods/y → 404 NotFound: pods "y" not found',
    );
    expect(error.status).toEqual(body);
    expect(error.body).toBeUndefined();
    expect([error.isNotFound(), error.isConflict(), error.isGone(), error.isForbidden()]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(error.request).toEqual({ method: "GET", path: "/api/v1/namespaces/x/pods/y" });
  });

  it.each([
    [409, "Conflict", "isConflict"],
    [409, "AlreadyExists", "isAlreadyExists"],
    [403, "Forbidden", "isForbidden"],
    [401, "Unauthorized", "isUnauthorized"],
    [410, "Expired", "isGone"],
    [422, "Invalid", "isInvalid"],
    [504, "Timeout", "isTimeout"],
    [429, "TooManyRequests", "isTooManyRequests"],
  ] as const)("answers %i %s with %s()", async (code, reason, predicate) => {
    server.use(
      http.post(`${SERVER}/api/v1/namespaces/default/pods`, () =>
        HttpResponse.json(status(code, reason), { status: code }),
      ),
    );
    const error = (await failure(
      transportFor(credentials().creds, { retry: false }).request({
        method: "POST",
        path: "/api/v1/namespaces/default/pods",
        body: {},
      }),
    )) as KubeApiError;
    expect(error[predicate]()).toBe(true);
    // and every other predicate is false
    const predicates = [
      "isNotFound",
      "isConflict",
      "isAlreadyExists",
      "isForbidden",
      "isUnauthorized",
      "isGone",
      "isTooManyRequests",
      "isInvalid",
      "isTimeout",
    ] as const;
    expect(predicates.filter((p) => error[p]())).toEqual([predicate]);
  });

  it.each([
    [404, "isNotFound"],
    [409, "isConflict"],
    [410, "isGone"],
    [422, "isInvalid"],
    [504, "isTimeout"],
  ] as const)("answers a bare HTTP %i (no Status) with %s()", async (code, predicate) => {
    server.use(http.get(`${SERVER}/api`, () => new HttpResponse("nope", { status: code })));
    const error = (await failure(
      transportFor(credentials().creds, { retry: false }).request({ path: "/api" }),
    )) as KubeApiError;
    expect(error[predicate]()).toBe(true);
    expect(error.body).toBe("nope");
  });

  it("keeps a non-JSON error body, truncated, in the error", async () => {
    const page = `<html>${"x".repeat(3000)}</html>`;
    server.use(
      http.get(
        `${SERVER}/api`,
        () => new HttpResponse(page, { status: 502, headers: { "content-type": "text/html" } }),
      ),
    );
    const error = (await failure(
      transportFor(credentials().creds).request({ path: "/api" }),
    )) as KubeApiError;
    expect(error.status).toMatchObject({
      kind: "Status",
      code: 502,
      reason: "InternalError",
      message: page.slice(0, 200),
    });
    expect(error.body).toBe(page.slice(0, 1024));
  });

  it("reports a network failure as a ConnectionError naming the request and host:port", async () => {
    server.use(http.get(`${SERVER}/api`, () => HttpResponse.error()));
    const error = (await failure(
      transportFor(credentials().creds, { retry: false }).request({ path: "/api" }),
    )) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/^GET \/api → cannot reach kubernetes.default.svc:443: /);
    expect(error.cause).toBeDefined();
  });
});

describe("authentication", () => {
  it("on a 401 refreshes the credentials once and retries", async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${SERVER}/api`, ({ request }) => {
        const auth = request.headers.get("authorization") ?? "";
        seen.push(auth);
        return auth === "Bearer fresh"
          ? HttpResponse.json({ kind: "APIVersions" })
          : HttpResponse.json(status(401, "Unauthorized"), { status: 401 });
      }),
    );
    const { creds, state } = credentials(["expired", "fresh"]);
    expect(await transportFor(creds).request({ path: "/api" })).toEqual({ kind: "APIVersions" });
    expect(seen).toEqual(["Bearer expired", "Bearer fresh"]);
    expect(state.invalidations).toBe(1);
  });

  it("gives up after one refresh when the credentials are still refused", async () => {
    let calls = 0;
    server.use(
      http.post(`${SERVER}/api/v1/namespaces/default/pods`, () => {
        calls++;
        return HttpResponse.json(status(401, "Unauthorized"), { status: 401 });
      }),
    );
    const error = (await failure(
      transportFor(credentials(["a", "b", "c"]).creds).request({
        method: "POST",
        path: "/api/v1/namespaces/default/pods",
        body: {},
      }),
    )) as KubeApiError;
    expect(error.isUnauthorized()).toBe(true);
    expect(calls).toBe(2);
  });

  it("does not follow a redirect, so Authorization never reaches another origin", async () => {
    let leaked = false;
    server.use(
      http.get(
        `${SERVER}/api`,
        () =>
          new HttpResponse(null, {
            status: 302,
            headers: { location: "https://evil.example/steal" },
          }),
      ),
      http.get("https://evil.example/steal", () => {
        leaked = true;
        return HttpResponse.json({});
      }),
    );
    const error = (await failure(
      transportFor(credentials().creds).request({ path: "/api" }),
    )) as KubeApiError;
    expect(error.code).toBe(302);
    expect(leaked).toBe(false);
  });
});

describe("retries", () => {
  function counting(
    code: number,
    headers: Record<string, string> = {},
    okAfter = Number.POSITIVE_INFINITY,
  ) {
    const calls = { n: 0 };
    const reply = () => {
      calls.n++;
      return calls.n > okAfter
        ? HttpResponse.json({ ok: true })
        : HttpResponse.json(status(code, "Retry"), { status: code, headers });
    };
    return { calls, reply };
  }

  it("retries a 429 with Retry-After, even for a POST, and reports each retry to the hooks", async () => {
    const { calls, reply } = counting(429, { "retry-after": "0" }, 2);
    server.use(http.post(`${SERVER}/api/v1/namespaces/default/configmaps`, reply));
    const retries: RetryEvent[] = [];
    const answer = await transportFor(credentials().creds, {
      hooks: { onRetry: (e) => retries.push(e) },
    }).request({ method: "POST", path: "/api/v1/namespaces/default/configmaps", body: {} });
    expect(answer).toEqual({ ok: true });
    expect(calls.n).toBe(3);
    expect(retries.map((r) => [r.attempt, r.reason, r.delayMs])).toEqual([
      [1, "429", 0],
      [2, "429", 0],
    ]);
  });

  it("waits the Retry-After delay, capped", async () => {
    const { calls, reply } = counting(503, { "retry-after": "30" }, 1);
    server.use(http.get(`${SERVER}/api`, reply));
    const started = performance.now();
    await transportFor(credentials().creds, { retry: { retryAfterCapMs: 150 } }).request({
      path: "/api",
    });
    expect(calls.n).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("stops after maxRetryAfter retries (client-go: 10)", async () => {
    const { calls, reply } = counting(429, { "retry-after": "0" });
    server.use(http.get(`${SERVER}/api`, reply));
    const error = (await failure(
      transportFor(credentials().creds).request({ path: "/api" }),
    )) as KubeApiError;
    expect(error.isTooManyRequests()).toBe(true);
    expect(calls.n).toBe(11);
  });

  it("never retries a non-idempotent request after a 5xx, Retry-After or not", async () => {
    for (const headers of [{ "retry-after": "0" }, {}] as Record<string, string>[]) {
      const { calls, reply } = counting(503, headers);
      server.use(http.post(`${SERVER}/api/v1/namespaces/default/pods`, reply));
      await failure(
        transportFor(credentials().creds).request({
          method: "POST",
          path: "/api/v1/namespaces/default/pods",
          body: {},
        }),
      );
      expect(calls.n).toBe(1);
    }
  });

  it("retries 503 and 504 with backoff for idempotent requests, up to maxBackoff", async () => {
    for (const code of [503, 504]) {
      const { calls, reply } = counting(code);
      server.use(http.get(`${SERVER}/api`, reply));
      await failure(transportFor(credentials().creds).request({ path: "/api" }));
      expect(calls.n).toBe(4);
    }
    const marked = counting(503, {}, 1);
    server.use(http.put(`${SERVER}/api/v1/namespaces/default/configmaps/x`, marked.reply));
    await transportFor(credentials().creds).request({
      method: "PUT",
      path: "/api/v1/namespaces/default/configmaps/x",
      body: {},
      idempotent: true,
    });
    expect(marked.calls.n).toBe(2);
  });

  it("does not retry a 500 without Retry-After, nor anything when retry is false", async () => {
    const plain = counting(500);
    server.use(http.get(`${SERVER}/api`, plain.reply));
    await failure(transportFor(credentials().creds).request({ path: "/api" }));
    expect(plain.calls.n).toBe(1);
    const off = counting(429, { "retry-after": "0" });
    server.use(http.get(`${SERVER}/version`, off.reply));
    await failure(
      transportFor(credentials().creds, { retry: false }).request({ path: "/version" }),
    );
    expect(off.calls.n).toBe(1);
  });
});

describe("timeouts and cancellation", () => {
  it("times out a slow request with a RequestTimeoutError", async () => {
    server.use(
      http.get(`${SERVER}/api`, async () => {
        await delay(2000);
        return HttpResponse.json({});
      }),
    );
    const started = performance.now();
    const error = (await failure(
      transportFor(credentials().creds).request({ path: "/api", timeoutMs: 100 }),
    )) as RequestTimeoutError;
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error.message).toBe(
      "GET /api → no answer from kubernetes.default.svc:443 within 100 ms",
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("aborts with a RequestAbortedError keeping the caller's reason", async () => {
    server.use(
      http.get(`${SERVER}/api`, async () => {
        await delay(2000);
        return HttpResponse.json({});
      }),
    );
    const controller = new AbortController();
    const pending = failure(
      transportFor(credentials().creds).request({ path: "/api", signal: controller.signal }),
    );
    setTimeout(() => controller.abort(new Error("user left")), 20);
    const error = (await pending) as RequestAbortedError;
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect((error.cause as Error).message).toBe("user left");
  });

  it("aborts a wait between retries", async () => {
    server.use(
      http.get(`${SERVER}/api`, () =>
        HttpResponse.json(status(429, "TooManyRequests"), {
          status: 429,
          headers: { "retry-after": "5" },
        }),
      ),
    );
    const controller = new AbortController();
    const pending = failure(
      transportFor(credentials().creds).request({ path: "/api", signal: controller.signal }),
    );
    const started = performance.now();
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toBeInstanceOf(RequestAbortedError);
    // at once, not after the 5 s Retry-After
    expect(performance.now() - started).toBeLessThan(4000);
  });
});

describe("rate limit", () => {
  it("holds requests beyond the burst to the QPS", async () => {
    server.use(http.get(`${SERVER}/version`, () => HttpResponse.json({})));
    const transport = transportFor(credentials().creds, { rateLimit: { qps: 20, burst: 2 } });
    const started = performance.now();
    await Promise.all(Array.from({ length: 6 }, () => transport.request({ path: "/version" })));
    // 2 at once, then 4 more at 20/s: at least ~200 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(180);
  });
});

describe("debug logging", () => {
  it("logs one line per request with KIN_DEBUG, never the token", async () => {
    server.use(http.get(`${SERVER}/api`, () => HttpResponse.json({})));
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      await transportFor(credentials(["super-secret-token"]).creds, {
        env: { KIN_DEBUG: "1" },
      }).request({ path: "/api" });
    } finally {
      process.stderr.write = write;
    }
    expect(lines.join("")).toMatch(/^kin GET \/api → 200 \(\d+\.\d ms\)\n$/);
    expect(lines.join("")).not.toContain("super-secret-token");
  });
});
