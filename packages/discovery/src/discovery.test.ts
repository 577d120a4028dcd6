import { createApiServer, credentialsFor } from "@kin/mock-server";
import { DEFAULT_MSW_BASE_URL, handlers } from "@kin/mock-server/msw";
import { createTransport } from "@kin/transport";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscovery } from "./discovery.js";

const api = createApiServer();
const token = api.issueToken();
const server = setupServer(...handlers(api));
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

const discovery = createDiscovery(
  createTransport(credentialsFor({ url: DEFAULT_MSW_BASE_URL }, token), {
    fetch: (...args) => globalThis.fetch(...args),
  }),
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
