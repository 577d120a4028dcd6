import type { Credentials } from "@kin/credentials";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApiError, ConnectionError } from "./errors.js";
import { createTransport } from "./transport.js";

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
    origin: { kind: "in-cluster", dir: "/test" },
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

const transportFor = (creds: Credentials) =>
  createTransport(creds, { fetch: (...args) => globalThis.fetch(...args) });

describe("createTransport", () => {
  it("sends the bearer token, accepts JSON and serialises the query", async () => {
    let seen: Request | undefined;
    server.use(
      http.get(`${SERVER}/api/v1/namespaces/default/pods`, ({ request }) => {
        seen = request;
        return HttpResponse.json({ kind: "PodList", items: [] });
      }),
    );
    const transport = transportFor(credentials().creds);
    const list = await transport.request<{ kind: string }>({
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
      http.post(`${SERVER}/api/v1/namespaces/default/configmaps`, async ({ request }) =>
        HttpResponse.json(
          { echo: await request.json(), type: request.headers.get("content-type") },
          { status: 201 },
        ),
      ),
    );
    const answer = await transportFor(credentials().creds).request({
      method: "POST",
      path: "/api/v1/namespaces/default/configmaps",
      body: { data: { a: "1" } },
    });
    expect(answer).toEqual({ echo: { data: { a: "1" } }, type: "application/json" });
  });

  it("keeps a path prefix of the server URL (e.g. a proxy's)", async () => {
    server.use(
      http.get(`${SERVER}/k8s/clusters/c-1/version`, () => HttpResponse.json({ major: "1" })),
    );
    const transport = transportFor(credentials(["t"], `${SERVER}/k8s/clusters/c-1/`).creds);
    expect(await transport.request({ path: "/version" })).toEqual({ major: "1" });
  });

  it("turns a Status answer into an ApiError that names the request", async () => {
    const status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'pods "y" not found',
      reason: "NotFound",
      details: { name: "y", kind: "pods" },
      code: 404,
    };
    server.use(
      http.get(`${SERVER}/api/v1/namespaces/x/pods/y`, () =>
        HttpResponse.json(status, { status: 404 }),
      ),
    );
    const error = await transportFor(credentials().creds)
      .request({ path: "/api/v1/namespaces/x/pods/y" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.message).toBe(
      'GET /api/v1/namespaces/x/pods/y → 404 NotFound: pods "y" not found',
    );
    expect(apiError.status).toEqual(status);
    expect(apiError.code).toBe(404);
    expect(apiError.isNotFound()).toBe(true);
    expect(apiError.isConflict()).toBe(false);
    expect(apiError.request).toEqual({ method: "GET", path: "/api/v1/namespaces/x/pods/y" });
  });

  it("describes a non-Status error body (a proxy's HTML page) with a Status of its own", async () => {
    server.use(
      http.get(
        `${SERVER}/api`,
        () =>
          new HttpResponse("<html>Bad Gateway</html>", {
            status: 502,
            headers: { "content-type": "text/html" },
          }),
      ),
    );
    const error = (await transportFor(credentials().creds)
      .request({ path: "/api" })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toMatchObject({
      kind: "Status",
      code: 502,
      reason: "InternalError",
      message: "<html>Bad Gateway</html>",
    });
  });

  it("on a 401 re-reads the token once and retries", async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${SERVER}/api`, ({ request }) => {
        const auth = request.headers.get("authorization") ?? "";
        seen.push(auth);
        return auth === "Bearer fresh"
          ? HttpResponse.json({ kind: "APIVersions" })
          : HttpResponse.json(
              { kind: "Status", code: 401, reason: "Unauthorized", message: "Unauthorized" },
              { status: 401 },
            );
      }),
    );
    const { creds, state } = credentials(["expired", "fresh"]);
    expect(await transportFor(creds).request({ path: "/api" })).toEqual({ kind: "APIVersions" });
    expect(seen).toEqual(["Bearer expired", "Bearer fresh"]);
    expect(state.invalidations).toBe(1);
  });

  it("gives up after one retry when the token is still refused", async () => {
    let calls = 0;
    server.use(
      http.get(`${SERVER}/api`, () => {
        calls++;
        return HttpResponse.json(
          { kind: "Status", code: 401, reason: "Unauthorized", message: "Unauthorized" },
          { status: 401 },
        );
      }),
    );
    const error = (await transportFor(credentials(["a", "b", "c"]).creds)
      .request({ path: "/api" })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.isUnauthorized()).toBe(true);
    expect(calls).toBe(2);
    expect(error.message).not.toMatch(/Bearer|\bb\b/);
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
    const error = (await transportFor(credentials().creds)
      .request({ path: "/api" })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(302);
    expect(leaked).toBe(false);
  });

  it("reports a network failure as a ConnectionError naming the request and server", async () => {
    server.use(http.get(`${SERVER}/api`, () => HttpResponse.error()));
    const error = (await transportFor(credentials().creds)
      .request({ path: "/api" })
      .catch((e: unknown) => e)) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/^GET \/api → cannot reach https:\/\/kubernetes.default.svc: /);
    expect(error.cause).toBeDefined();
  });

  it("refuses a relative path", async () => {
    await expect(transportFor(credentials().creds).request({ path: "api" })).rejects.toThrow(
      /must start with "\/"/,
    );
  });
});
