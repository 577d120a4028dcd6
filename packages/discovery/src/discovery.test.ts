import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentialsFor } from "@kin/mock-server";
import {
  type APIGroupDiscoveryList,
  builtinResources,
  type ResourceDescriptor,
} from "@kin/resources";
import { createTransport } from "@kin/transport";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDiscovery, DiscoveryError, type DiscoveryOptions } from "./index.js";

// Discovery documents built from the built-in catalogue plus one custom group, served by msw in
// both forms: aggregated (v2beta1, as 1.28) and legacy (/api/v1, /apis/<g>/<v>).
const SERVER = "https://kubernetes.default.svc";
const widget: ResourceDescriptor = {
  group: "example.com",
  version: "v1",
  apiVersion: "example.com/v1",
  kind: "Widget",
  plural: "widgets",
  singular: "widget",
  namespaced: true,
  verbs: ["get", "list"],
  shortNames: ["wd"],
  categories: [],
  subresources: {},
};

let served: ResourceDescriptor[];
let aggregatedEnabled: boolean;
let brokenGroupVersion: string | undefined;
const requests: string[] = [];

function groupsOf(resources: ResourceDescriptor[]) {
  const groups = new Map<string, Set<string>>();
  for (const r of resources) groups.set(r.group, (groups.get(r.group) ?? new Set()).add(r.version));
  return [...groups].map(([name, versions]) => ({
    name,
    versions: [...versions].sort().reverse(),
  }));
}

function aggregatedDoc(core: boolean): APIGroupDiscoveryList {
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2beta1",
    items: groupsOf(served)
      .filter((g) => (g.name === "") === core)
      .map((g) => ({
        metadata: { name: g.name },
        versions: g.versions.map((version) => ({
          version,
          freshness: `${g.name}/${version}` === brokenGroupVersion ? "Stale" : "Current",
          resources: served
            .filter((r) => r.group === g.name && r.version === version)
            .map((r) => ({
              resource: r.plural,
              responseKind: { group: r.group, version: r.version, kind: r.kind },
              scope: r.namespaced ? "Namespaced" : "Cluster",
              singularResource: r.singular ?? "",
              verbs: [...(r.verbs ?? [])],
              shortNames: [...(r.shortNames ?? [])],
              categories: [...(r.categories ?? [])],
              subresources: Object.entries(r.subresources ?? {}).map(([subresource, s]) => ({
                subresource,
                verbs: [...s.verbs],
              })),
            })),
        })),
      })),
  };
}

const server = setupServer(
  http.get(`${SERVER}/api`, ({ request }) => {
    requests.push("/api");
    if (aggregatedEnabled && request.headers.get("accept")?.includes("v=v2beta1"))
      return HttpResponse.json(aggregatedDoc(true));
    return HttpResponse.json({
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [],
    });
  }),
  http.get(`${SERVER}/apis`, ({ request }) => {
    requests.push("/apis");
    if (aggregatedEnabled && request.headers.get("accept")?.includes("v=v2beta1"))
      return HttpResponse.json(aggregatedDoc(false));
    return HttpResponse.json({
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: groupsOf(served)
        .filter((g) => g.name !== "")
        .map((g) => ({
          name: g.name,
          versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
          preferredVersion: { groupVersion: `${g.name}/${g.versions[0]}`, version: g.versions[0] },
        })),
    });
  }),
  http.get(`${SERVER}/api/:version`, ({ params }) => legacyList("", String(params.version))),
  http.get(`${SERVER}/apis/:group/:version`, ({ params }) =>
    legacyList(String(params.group), String(params.version)),
  ),
);

function legacyList(group: string, version: string) {
  requests.push(`${group}/${version}`);
  if (`${group}/${version}` === brokenGroupVersion)
    return HttpResponse.json(
      {
        kind: "Status",
        code: 503,
        reason: "ServiceUnavailable",
        message: "the server is currently unable to handle the request",
      },
      { status: 503 },
    );
  const resources = served
    .filter((r) => r.group === group && r.version === version)
    .flatMap((r) => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        shortNames: r.shortNames,
        categories: r.categories,
      },
      ...Object.entries(r.subresources ?? {}).map(([sub, s]) => ({
        name: `${r.plural}/${sub}`,
        singularName: "",
        namespaced: r.namespaced,
        kind: s.kind ?? r.kind,
        group: s.apiVersion?.split("/")[0],
        version: s.apiVersion?.split("/").at(-1),
        verbs: s.verbs,
      })),
    ]);
  return HttpResponse.json({
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  });
}

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  served = [...builtinResources, widget];
  aggregatedEnabled = true;
  brokenGroupVersion = undefined;
  requests.length = 0;
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const transport = createTransport(credentialsFor({ url: SERVER }, "t"), {
  fetch: (...args) => globalThis.fetch(...args),
  rateLimit: false,
  retry: false,
});
const discoveryWith = (options: DiscoveryOptions = {}) => createDiscovery(transport, options);
const keys = (resources: readonly ResourceDescriptor[]) =>
  resources.map((r) => `${r.apiVersion}/${r.plural}`).sort();

describe("catalogue", () => {
  it("reads aggregated discovery in two requests", async () => {
    const catalogue = await discoveryWith().catalogue();
    expect(catalogue.source).toBe("aggregated");
    expect(catalogue.requests).toBe(2);
    expect(requests.sort()).toEqual(["/api", "/apis"]);
    expect(keys(catalogue.resources)).toEqual(keys(served));
    const deployments = catalogue.resources.find((r) => r.plural === "deployments");
    expect(deployments).toMatchObject({
      kind: "Deployment",
      namespaced: true,
      shortNames: ["deploy"],
      singular: "deployment",
    });
    expect(Object.keys(deployments?.subresources ?? {}).sort()).toEqual(["scale", "status"]);
  });

  it("falls back to legacy discovery with the same catalogue", async () => {
    const fromAggregated = await discoveryWith().catalogue();
    aggregatedEnabled = false;
    const fromLegacy = await discoveryWith().catalogue();
    expect(fromLegacy.source).toBe("legacy");
    expect(fromLegacy.requests).toBe(
      2 + groupsOf(served).reduce((n, g) => n + g.versions.length, 0),
    );
    expect(keys(fromLegacy.resources)).toEqual(keys(fromAggregated.resources));
    const pods = fromLegacy.resources.find((r) => r.plural === "pods");
    expect(Object.keys(pods?.subresources ?? {}).sort()).toEqual(
      Object.keys(
        fromAggregated.resources.find((r) => r.plural === "pods")?.subresources ?? {},
      ).sort(),
    );
  });

  it("refuses mode aggregated when the server answers only legacy documents", async () => {
    aggregatedEnabled = false;
    const error = await discoveryWith({ mode: "aggregated" })
      .catalogue()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error).toMatchObject({
      code: "AggregatedNotServed",
      message: expect.stringMatching(
        /^https:\/\/kubernetes\.default\.svc does not serve aggregated discovery \(GET \/api and \/apis with Accept: application\/json;g=apidiscovery/,
      ),
    });
  });

  it("reports a failing group/version without failing the rest", async () => {
    brokenGroupVersion = "example.com/v1";
    for (const mode of ["aggregated", "legacy"] as const) {
      aggregatedEnabled = mode === "aggregated";
      const catalogue = await discoveryWith().catalogue();
      expect(catalogue.failures).toEqual([
        expect.objectContaining({ groupVersion: "example.com/v1" }),
      ]);
      expect(catalogue.resources.some((r) => r.plural === "pods")).toBe(true);
      expect(catalogue.resources.some((r) => r.plural === "widgets")).toBe(false);
    }
  });

  it("caches for the TTL and shares one fetch between concurrent callers", async () => {
    let now = 0;
    const discovery = discoveryWith({ ttlMs: 1000, now: () => now });
    const [a, b] = await Promise.all([discovery.catalogue(), discovery.catalogue()]);
    expect(a).toBe(b);
    expect(requests).toHaveLength(2);
    now = 999;
    await discovery.catalogue();
    expect(requests).toHaveLength(2);
    now = 1000;
    await discovery.catalogue();
    expect(requests).toHaveLength(4);
  });

  describe("on disk, in kubectl's layout", () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "kin-discovery-"));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it("writes servergroups.json and serverresources.json per host, and reads them back within the TTL", async () => {
      const first = await discoveryWith({ cacheDir: dir }).catalogue();
      const root = join(dir, "kubernetes.default.svc");
      expect((await stat(join(root, "servergroups.json"))).isFile()).toBe(true);
      expect((await stat(join(root, "apps", "v1", "serverresources.json"))).isFile()).toBe(true);
      expect((await stat(join(root, "v1", "serverresources.json"))).isFile()).toBe(true);
      requests.length = 0;
      const second = await discoveryWith({ cacheDir: dir }).catalogue();
      expect(requests).toEqual([]);
      expect(second.source).toBe("disk");
      expect(keys(second.resources)).toEqual(keys(first.resources));
      const expired = await discoveryWith({ cacheDir: dir, diskTtlMs: 0 }).catalogue();
      expect(expired.source).toBe("aggregated");
    });
  });
});

describe("mapper", () => {
  it("resolves built-in kinds without a request", async () => {
    const discovery = discoveryWith();
    expect((await discovery.kindFor({ kind: "Deployment" })).apiVersion).toBe("apps/v1");
    expect((await discovery.kindFor({ kind: "Event" })).apiVersion).toBe("v1");
    expect((await discovery.kindFor({ kind: "Event", group: "events.k8s.io" })).apiVersion).toBe(
      "events.k8s.io/v1",
    );
    expect((await discovery.kindFor({ kind: "HorizontalPodAutoscaler" })).apiVersion).toBe(
      "autoscaling/v2",
    );
    expect(
      (await discovery.kindFor({ kind: "HorizontalPodAutoscaler", version: "v1" })).apiVersion,
    ).toBe("autoscaling/v1");
    expect(requests).toEqual([]);
  });

  it("resolves names the way kubectl does", async () => {
    const discovery = discoveryWith();
    const resolve = async (name: string) =>
      (await discovery.resourceFor(name)).apiVersion +
      "/" +
      (await discovery.resourceFor(name)).plural;
    expect(await resolve("po")).toBe("v1/pods");
    expect(await resolve("pods")).toBe("v1/pods");
    expect(await resolve("pod")).toBe("v1/pods");
    expect(await resolve("deploy")).toBe("apps/v1/deployments");
    expect(await resolve("deployments.apps")).toBe("apps/v1/deployments");
    expect(await resolve("deployments.v1.apps")).toBe("apps/v1/deployments");
    expect(await resolve("hpa")).toBe("autoscaling/v2/horizontalpodautoscalers");
    expect(await resolve("horizontalpodautoscalers.v1.autoscaling")).toBe(
      "autoscaling/v1/horizontalpodautoscalers",
    );
    expect(await resolve("events")).toBe("v1/events");
    expect(await resolve("Pods")).toBe("v1/pods");
    expect(requests).toEqual([]);
    expect(await resolve("wd")).toBe("example.com/v1/widgets");
    expect(await resolve("widgets.example.com")).toBe("example.com/v1/widgets");
  });

  it("finds a custom resource installed after start with one refresh, and forgets a removed one", async () => {
    served = [...builtinResources];
    const discovery = discoveryWith();
    await discovery.catalogue();
    served = [...builtinResources, widget];
    requests.length = 0;
    expect((await discovery.kindFor({ kind: "Widget", group: "example.com" })).plural).toBe(
      "widgets",
    );
    expect(requests.sort()).toEqual(["/api", "/apis"]);
    served = [...builtinResources];
    await discovery.refresh();
    await expect(discovery.resourceFor("widgets")).rejects.toThrow(DiscoveryError);
  });

  it("names what was looked up and what the server offers", async () => {
    const discovery = discoveryWith();
    await expect(discovery.kindFor({ kind: "Gadget", group: "example.com" })).rejects.toThrow(
      'no kind "Gadget" in group "example.com": group "example.com" serves: Widget (v1)',
    );
    await expect(discovery.kindFor({ kind: "Gadget", group: "nope.io" })).rejects.toThrow(
      'the server has no group "nope.io"',
    );
    const error = (await discovery
      .resourceFor("widgetz")
      .catch((e: unknown) => e)) as DiscoveryError;
    expect(error.code).toBe("NotFound");
    expect(error.message).toMatch(
      /^the server doesn't have a resource type "widgetz" \(it serves \d+ resources; similar: widgets.example.com \(example.com\/v1\)\)$/,
    );
  });

  it("reports every candidate of an ambiguous short name", async () => {
    served = [
      ...builtinResources,
      widget,
      {
        ...widget,
        group: "other.io",
        apiVersion: "other.io/v1",
        kind: "Wand",
        plural: "wands",
        singular: "wand",
      },
    ];
    const error = (await discoveryWith()
      .resourceFor("wd")
      .catch((e: unknown) => e)) as DiscoveryError;
    expect(error.code).toBe("Ambiguous");
    expect(error.candidates).toEqual([
      "widgets.example.com (example.com/v1)",
      "wands.other.io (other.io/v1)",
    ]);
  });
});
