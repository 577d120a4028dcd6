import { createApiServer, credentialsFor, type HttpsListener, listen } from "@kin/mock-server";
import { builtinResources } from "@kin/resources";
import { createTransport } from "@kin/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscovery } from "../src/index.js";

// Discovery against the mock server's HTTPS listener: both ways give the same catalogue, and a CRD
// created mid-test is found after one refresh.
const api = createApiServer();
const token = api.issueToken();
let listener: HttpsListener;
beforeAll(async () => {
  listener = await listen(api);
});
afterAll(() => listener.close());

const transport = () => createTransport(credentialsFor(listener, token), { rateLimit: false });
const keys = (resources: readonly { apiVersion: string; plural: string }[]) =>
  resources.map((r) => `${r.apiVersion}/${r.plural}`).sort();

describe("discovery of the mock server", () => {
  it("reads the version and the docs' /api", async () => {
    const discovery = createDiscovery(transport());
    expect((await discovery.version()).gitVersion).toBe("v1.28.4");
    expect((await discovery.coreVersions()).serverAddressByClientCIDRs[0]?.serverAddress).toBe(
      `127.0.0.1:${listener.port}`,
    );
  });

  it("gives the same catalogue through aggregated and legacy discovery", async () => {
    const aggregated = await createDiscovery(transport(), { mode: "aggregated" }).catalogue();
    const legacy = await createDiscovery(transport(), { mode: "legacy" }).catalogue();
    expect(aggregated.source).toBe("aggregated");
    expect(legacy.source).toBe("legacy");
    expect(aggregated.failures).toEqual([]);
    expect(legacy.failures).toEqual([]);
    expect(keys(aggregated.resources)).toEqual(keys(legacy.resources));
    expect(aggregated.groups.map((g) => [g.name, g.preferredVersion])).toEqual(
      legacy.groups.map((g) => [g.name, g.preferredVersion]),
    );
    // every built-in kind the server serves is there
    for (const key of [
      "v1/pods",
      "apps/v1/deployments",
      "batch/v1/cronjobs",
      "rbac.authorization.k8s.io/v1/clusterroles",
    ]) {
      expect(keys(aggregated.resources)).toContain(key);
    }
    expect(aggregated.resources.length).toBeGreaterThanOrEqual(builtinResources.length - 10);
  });

  it("finds a CRD created after start with one refresh", async () => {
    const discovery = createDiscovery(transport());
    await discovery.catalogue();
    await transport().request({
      method: "POST",
      path: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      body: {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "gadgets.example.com" },
        spec: {
          group: "example.com",
          names: {
            kind: "Gadget",
            plural: "gadgets",
            singular: "gadget",
            shortNames: ["gd"],
            listKind: "GadgetList",
          },
          scope: "Namespaced",
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
          ],
        },
      },
    });
    const gadget = await discovery.kindFor({ group: "example.com", kind: "Gadget" });
    expect(gadget).toMatchObject({
      plural: "gadgets",
      namespaced: true,
      apiVersion: "example.com/v1",
    });
    expect((await discovery.resourceFor("gd")).plural).toBe("gadgets");
  });
});
