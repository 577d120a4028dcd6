import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer } from "../server/apiServer.js";
import { handlers } from "./msw.js";

describe("msw handlers", () => {
  const api = createApiServer();
  const token = api.issueToken();
  const server = setupServer(...handlers(api));
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterAll(() => server.close());

  it("answer fetch calls to kubernetes.default.svc from the same core as the listener", async () => {
    api.add({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "default" },
      data: { a: "1" },
    });
    const response = await fetch(
      "https://kubernetes.default.svc/api/v1/namespaces/default/configmaps/settings",
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ kind: "ConfigMap", data: { a: "1" } });
    const denied = await fetch(
      "https://kubernetes.default.svc/api/v1/namespaces/default/configmaps",
      {
        headers: { authorization: "Bearer wrong" },
      },
    );
    expect(denied.status).toBe(401);
  });
});
