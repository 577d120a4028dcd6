import type { Credentials } from "@kin/credentials";
import { createApiServer } from "@kin/mock-server";
import { handlers } from "@kin/mock-server/msw";
import { createTransport } from "@kin/transport";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscovery } from "./discovery.js";

const api = createApiServer();
const token = api.issueToken();
const server = setupServer(...handlers(api));
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

const credentials: Credentials = {
  server: "https://kubernetes.default.svc",
  namespace: "default",
  origin: { kind: "in-cluster", dir: "/test" },
  auth: { type: "bearer", token: async () => token, invalidate: () => {} },
};
const discovery = createDiscovery(
  createTransport(credentials, { fetch: (...args) => globalThis.fetch(...args) }),
);

describe("createDiscovery", () => {
  it("reads the server version", async () => {
    expect(await discovery.version()).toMatchObject({
      major: "1",
      minor: "28",
      gitVersion: "v1.28.4",
    });
  });

  it("reads the core group's versions from /api", async () => {
    const versions = await discovery.coreVersions();
    expect(versions.kind).toBe("APIVersions");
    expect(versions.versions).toEqual(["v1"]);
  });

  it("reads the named groups from /apis", async () => {
    expect(await discovery.groups()).toEqual({
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [],
    });
  });
});
