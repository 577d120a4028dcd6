import { createApiServer, credentialsFor, type HttpsListener, listen } from "@kin/mock-server";
import { createTransport } from "@kin/transport";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDiscovery } from "../src/index.js";

const api = createApiServer();
const token = api.issueToken();
let listener: HttpsListener;
beforeAll(async () => {
  listener = await listen(api);
});
afterAll(() => listener.close());

it("discovers the mock server over verified TLS", async () => {
  const transport = createTransport(credentialsFor(listener, token));
  const discovery = createDiscovery(transport);
  const [version, core, groups] = await Promise.all([
    discovery.version(),
    discovery.coreVersions(),
    discovery.groups(),
  ]);
  expect(version.gitVersion).toBe("v1.28.4");
  expect(core.serverAddressByClientCIDRs[0]?.serverAddress).toBe(`127.0.0.1:${listener.port}`);
  expect(groups.kind).toBe("APIGroupList");
  await transport.close();
});
