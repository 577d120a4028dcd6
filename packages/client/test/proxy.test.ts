import { createApiServer, type Listener, listenProxy } from "@kin/mock-server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ConfigMap, createClient, loadProxy } from "../src/index.js";

// The "kubectl proxy sidecar" way of the Kubernetes docs: plain http to localhost, no credentials in the app.
const api = createApiServer();
let proxy: Listener;
beforeAll(async () => {
  proxy = await listenProxy(api, { token: api.issueToken() });
});
afterAll(() => proxy.close());

it("talks to the API server through a kubectl proxy on plain http", async () => {
  expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const client = await createClient({ credentials: loadProxy({ url: proxy.url }) });
  await client.api(ConfigMap).create({ metadata: { name: "via-proxy" }, data: { a: "1" } });
  expect((await client.api(ConfigMap).get("via-proxy")).data).toEqual({ a: "1" });
  expect((await client.discovery.coreVersions()).versions).toEqual(["v1"]);
  await client.close();
});
