import { createApiServer, credentialsFor } from "@kin/mock-server";
import { ClusterRole } from "@kin/resources";
import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  ConfigMap,
  CustomResourceDefinition,
  createClient,
  defineResource,
  InvalidNameError,
  mergePatch,
  type ResourceDescriptor,
} from "./index.js";

// Every way a path is made — raw, typed, dynamic, custom resources — against a server URL with a
// path prefix (a Rancher-style proxy): the mock server answers behind the prefix, and any request
// that lost it (or escaped it) finds no handler and fails the test.
const ORIGIN = "https://proxy.example";
const PREFIX = "/k8s/clusters/c-1";
const api = createApiServer();
const token = api.issueToken();
const requests: string[] = [];
const server = setupServer(
  http.all(`${ORIGIN}${PREFIX}/*`, ({ request }) => {
    const url = new URL(request.url);
    requests.push(`${request.method} ${url.pathname}`);
    const inner = new URL(`${url.pathname.slice(PREFIX.length)}${url.search}`, ORIGIN);
    return api.handle(new Request(inner, request));
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  requests.length = 0;
});
afterAll(() => server.close());

const client: Promise<Client> = createClient({
  credentials: credentialsFor({ url: `${ORIGIN}${PREFIX}` }, token, "default"),
  fetch: (...args) => globalThis.fetch(...args),
  rateLimit: false,
});
const Widget = defineResource<{ size: number }, unknown, true>({
  group: "example.com",
  version: "v1",
  kind: "Widget",
  plural: "widgets",
  namespaced: true,
});

describe("a server URL with a path prefix", () => {
  it("keeps the prefix for raw, typed, dynamic and custom-resource calls", async () => {
    const c = await client;
    await c.raw.get("/api");
    const maps = c.api(ConfigMap);
    await maps.create({ metadata: { name: "prefixed" }, data: { a: "1" } });
    await maps.patch("prefixed", mergePatch({ data: { a: "2" } }));
    await maps.get("prefixed");
    const dynamic = await c.dynamic("v1", "ConfigMap");
    await dynamic.list();
    await c.api(CustomResourceDefinition).create({
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        names: { kind: "Widget", plural: "widgets", singular: "widget", listKind: "WidgetList" },
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
    });
    await c.api(Widget).create({ metadata: { name: "w" }, spec: { size: 1 } });
    const widgets = await c.dynamic("example.com/v1", "Widget");
    expect((await widgets.list()).items.map((w) => w.metadata?.name)).toEqual(["w"]);
    for await (const _ of maps.watch({ resourceVersion: "0" })) break;
    expect(requests.some((r) => r.startsWith(`GET ${PREFIX}/apis`))).toBe(true); // discovery
    expect(requests.filter((r) => !r.split(" ")[1]?.startsWith(`${PREFIX}/`))).toEqual([]);
    expect(requests).toContain(`PATCH ${PREFIX}/api/v1/namespaces/default/configmaps/prefixed`);
    expect(requests).toContain(`POST ${PREFIX}/apis/example.com/v1/namespaces/default/widgets`);
  });
});

describe("no path escapes its place", () => {
  it("refuses escapes through the raw API before any request", async () => {
    const c = await client;
    for (const path of [
      "/api/v1/namespaces/default/configmaps/x\\..\\..\\..\\kube-system\\secrets",
      "/api/v1/namespaces/default/configmaps/%2e%2e/%2e%2e/secrets",
      "/api/v1/namespaces/default/../../../api/v1/secrets",
    ]) {
      await expect(c.raw.get(path), path).rejects.toThrow(TypeError);
      await expect(c.raw.delete(path), path).rejects.toThrow(TypeError);
    }
    expect(requests).toEqual([]);
  });

  it("refuses names that would leave their segment in the typed API before any request", async () => {
    const maps = (await client).api(ConfigMap);
    for (const name of ["..", ".", "a/b", "%2e%2e", ""]) {
      await expect(maps.get(name), name).rejects.toThrow(InvalidNameError);
      await expect(maps.delete(name), name).rejects.toThrow(InvalidNameError);
    }
    // `\` is a legal character of a path-segment name, but never sent: proxies may read it as `/`
    await expect(maps.get("x\\..\\..\\secrets")).rejects.toThrow(/has an unsafe segment/);
    expect(requests).toEqual([]);
  });

  it("refuses a malformed apiVersion in dynamic() before any request", async () => {
    const c = await client;
    for (const apiVersion of ["../v1", "apps/../v1", "apps/v1/x", ""]) {
      await expect(c.dynamic(apiVersion, "Pod"), apiVersion).rejects.toThrow(
        `apiVersion: Invalid value: ${JSON.stringify(apiVersion)}`,
      );
    }
    expect(requests).toEqual([]);
  });

  it("refuses custom resources whose plural, group or version would leave its segment", async () => {
    expect(() =>
      defineResource({
        group: "example.com",
        version: "v1",
        kind: "W",
        plural: "configmaps\\..\\secrets",
        namespaced: true,
      }),
    ).toThrow(/^defineResource: plural: Invalid value/);
    // a descriptor written by hand (or from a server's discovery) is checked when used
    const bad: ResourceDescriptor = {
      group: "",
      version: "v1",
      apiVersion: "v1",
      kind: "ConfigMap",
      plural: "configmaps\\..\\secrets",
      namespaced: true,
    };
    const c = await client;
    expect(() => c.api(bad as ResourceDescriptor<ConfigMap, true>)).toThrow(
      /^plural: Invalid value: "configmaps\\\\..\\\\secrets"/,
    );
    expect(requests).toEqual([]);
  });
});

describe("names as the server checks them", () => {
  it("takes RBAC names such as system:kin-reader, and refuses what the kind's rule refuses", async () => {
    const roles = (await client).api(ClusterRole);
    const created = await roles.create({
      metadata: { name: "system:kin-reader" },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }],
    });
    expect(created.metadata?.name).toBe("system:kin-reader");
    expect((await roles.get("system:kin-reader")).rules).toHaveLength(1);
    expect(requests).toContain(
      `GET ${PREFIX}/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Akin-reader`,
    );
    await roles.delete("system:kin-reader");
    // a ConfigMap name must still be a DNS-1123 subdomain
    await expect(
      (await client).api(ConfigMap).create({ metadata: { name: "system:kin" } }),
    ).rejects.toThrow(InvalidNameError);
  });
});
