import { createApiServer, credentialsFor, type HttpsListener, listen } from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectionResetError,
  createTransport,
  KubeApiError,
  RequestTimeoutError,
  type RetryEvent,
} from "../src/index.js";

// The mock server's fault plan (packages/mock-server/src/faults) seen by the real transport over HTTPS.
// These live here, not in the mock server's tests: @kin/mock-server may not depend on @kin/transport
// (the transport's tests depend on the mock server; turbo refuses the cycle).
const log: string[] = [];
const api = createApiServer({ log: (line) => log.push(line) });
const token = api.issueToken();
for (let i = 0; i < 10; i++)
  api.add({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `p${i}`, namespace: "default" },
    spec: { containers: [{ name: "c" }] },
  } as never);
let listener: HttpsListener;
beforeAll(async () => {
  listener = await listen(api);
});
afterAll(async () => {
  api.faults.clear();
  await listener.close();
});

const pods = "/api/v1/namespaces/default/pods";
const fast = { backoffBaseMs: 10, backoffMaxMs: 20 };

describe("mock server faults seen by the transport", () => {
  it("retries a 429 after its Retry-After, then succeeds", async () => {
    api.faults.set([
      {
        match: { verb: "list", path: "/api/v1/namespaces/*/pods", times: 2 },
        fault: { status: 429, retryAfterSeconds: 1 },
      },
    ]);
    const retries: RetryEvent[] = [];
    const transport = createTransport(credentialsFor(listener, token), {
      retry: { retryAfterCapMs: 50 },
      hooks: { onRetry: (e) => retries.push(e) },
    });
    const list = await transport.request<{ items: unknown[] }>({ path: pods });
    expect(list.items).toHaveLength(10);
    expect(retries.map((r) => [r.reason, r.delayMs])).toEqual([
      ["429", 50],
      ["429", 50],
    ]);
    expect(api.faults.counts()).toEqual({ "#0": 2 });
    await transport.close();
  });

  it("gives up on 503 after its retries with a KubeApiError", async () => {
    api.faults.set([{ match: { path: "/api" }, fault: { status: 503 } }]);
    const transport = createTransport(credentialsFor(listener, token), { retry: fast });
    const error = await transport.request({ path: "/api" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).code).toBe(503);
    expect((error as KubeApiError).reason).toBe("ServiceUnavailable");
    expect(api.faults.counts()).toEqual({ "#0": 4 }); // first try + 3 backoff retries
    await transport.close();
  });

  it("sees a reset mid-response as ConnectionResetError (no retry allowed)", async () => {
    api.faults.set([{ match: { verb: "list" }, fault: { resetAfterBytes: 100 } }]);
    const transport = createTransport(credentialsFor(listener, token), { retry: false });
    const error = await transport.request({ path: pods }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionResetError);
    expect((error as Error).message).toContain(`GET ${pods} →`);
    await transport.close();
  });

  it("retries a GET whose connection was cut once, and gets the answer", async () => {
    api.faults.set([{ match: { path: "/version", times: 1 }, fault: { resetAfterBytes: 0 } }]);
    const retries: RetryEvent[] = [];
    const transport = createTransport(credentialsFor(listener, token), {
      retry: fast,
      hooks: { onRetry: (e) => retries.push(e) },
    });
    const version = await transport.request<{ gitVersion: string }>({ path: "/version" });
    expect(version.gitVersion).toBe("v1.28.4");
    expect(retries).toHaveLength(1);
    await transport.close();
  });

  it("times out on a stalled answer with RequestTimeoutError", async () => {
    api.faults.set([{ match: { path: "/api" }, fault: { stall: true } }]);
    const transport = createTransport(credentialsFor(listener, token), {
      retry: false,
      timeoutMs: 200,
    });
    const error = await transport.request({ path: "/api" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    api.faults.clear();
    await transport.close();
  });

  it("adds latency", async () => {
    api.faults.set([{ match: { path: "/version" }, fault: { delayMs: 200 } }]);
    const transport = createTransport(credentialsFor(listener, token));
    const started = performance.now();
    await transport.request({ path: "/version" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    await transport.close();
  });

  it("an expired token gets 401 (after the transport's one refresh)", async () => {
    const doomed = api.issueToken();
    api.faults.set([{ match: { times: 1 }, fault: { expireToken: true } }]);
    const transport = createTransport(credentialsFor(listener, doomed));
    const error = await transport.request({ path: pods }).catch((e: unknown) => e);
    expect((error as KubeApiError).isUnauthorized()).toBe(true);
    await transport.close();
  });

  it("a watch cut after N events ends cleanly after N events", async () => {
    api.faults.set([{ match: { times: 1 }, fault: { cutWatchAfterEvents: 3 } }]);
    const transport = createTransport(credentialsFor(listener, token));
    const types: string[] = [];
    for await (const event of transport.watch({ path: pods })) types.push(event.type);
    expect(types).toEqual(["ADDED", "ADDED", "ADDED"]);
    await transport.close();
  });

  it("a watch cut with a reset throws ConnectionResetError after the events before it", async () => {
    api.faults.set([{ match: { times: 1 }, fault: { cutWatchAfterEvents: 2, reset: true } }]);
    const transport = createTransport(credentialsFor(listener, token));
    const types: string[] = [];
    const error = await (async () => {
      for await (const event of transport.watch({ path: pods })) types.push(event.type);
    })().catch((e: unknown) => e);
    expect(types).toEqual(["ADDED", "ADDED"]);
    expect(error).toBeInstanceOf(ConnectionResetError);
    await transport.close();
  });

  it("a forced 410 on the next watch is a KubeApiError that isGone()", async () => {
    api.faults.set([{ match: { times: 1 }, fault: { watchGone: true } }]);
    const transport = createTransport(credentialsFor(listener, token));
    const error = await (async () => {
      for await (const _ of transport.watch({
        path: pods,
        query: { resourceVersion: api.resourceVersion },
      })) {
        // no event before the error
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).isGone()).toBe(true);
    expect(
      log.some((l) =>
        l.startsWith("fault #0: watch 410 Gone ← GET /api/v1/namespaces/default/pods?"),
      ),
    ).toBe(true);
    await transport.close();
  });
});
