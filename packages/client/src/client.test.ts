import { createApiServer, credentialsFor } from "@kin/mock-server";
import { DEFAULT_MSW_BASE_URL, handlers } from "@kin/mock-server/msw";
import { InvalidNameError } from "@kin/resources";
import { KubeApiError } from "@kin/transport";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Client, createClient } from "./client.js";
import { ConfigMap, Pod } from "./index.js";

const api = createApiServer();
const token = api.issueToken();
api.add({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
const requests: string[] = [];
const server = setupServer(...handlers(api));
server.events.on("request:start", ({ request }) => {
  requests.push(`${request.method} ${new URL(request.url).pathname}`);
});
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  requests.length = 0;
});
afterAll(() => server.close());

const client: Promise<Client> = createClient({
  credentials: credentialsFor({ url: DEFAULT_MSW_BASE_URL }, token, "team-a"),
  fetch: (...args) => globalThis.fetch(...args),
});
const container = { name: "main", image: "nginx:1.25" };

describe("createClient", () => {
  it("creates, gets, lists and deletes pods in the credentials' namespace", async () => {
    const pods = (await client).api(Pod);
    expect(pods.namespace).toBe("team-a");
    const created = await pods.create({
      metadata: { name: "web", labels: { app: "web" } },
      spec: { containers: [container] },
    });
    expect(created.metadata).toMatchObject({ name: "web", namespace: "team-a" });
    expect(created.kind).toBe("Pod");
    expect((await pods.get("web")).metadata?.uid).toBe(created.metadata?.uid);
    await pods.create({
      metadata: { name: "db", labels: { app: "db" } },
      spec: { containers: [container] },
    });
    const list = await pods.list({ labelSelector: "app=web" });
    expect(list.items.map((pod) => pod.metadata?.name)).toEqual(["web"]);
    const page = await pods.list({ limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.metadata.continue).toBeTruthy();
    const rest = await pods.list({ limit: 1, continue: page.metadata.continue });
    expect(rest.items[0]?.metadata?.name).toBe("web");
    await pods.delete("web");
    await pods.delete("db");
    const error = (await pods.get("web").catch((e: unknown) => e)) as KubeApiError;
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.isNotFound()).toBe(true);
    expect(error.message).toBe(
      'GET /api/v1/namespaces/team-a/pods/web → 404 NotFound: pods "web" not found',
    );
  });

  it("works with ConfigMaps in another namespace", async () => {
    const configMaps = (await client).api(ConfigMap, { namespace: "default" });
    await configMaps.create({ metadata: { name: "settings" }, data: { mode: "fast" } });
    expect((await configMaps.get("settings")).data).toEqual({ mode: "fast" });
    expect(requests).toContain("POST /api/v1/namespaces/default/configmaps");
    expect(await configMaps.delete("settings")).toMatchObject({
      kind: "Status",
      status: "Success",
    });
  });

  it("validates names and namespaces before they reach a URL", async () => {
    const c = await client;
    await expect(c.api(Pod).get("../../secrets")).rejects.toThrow(InvalidNameError);
    await expect(c.api(Pod).delete("a/b")).rejects.toThrow(/name: Invalid value: "a\/b"/);
    expect(() => c.api(Pod, { namespace: "Team_A" })).toThrow(/namespace: Invalid value: "Team_A"/);
    await expect(
      c.api(Pod).create({ metadata: { name: "UPPER" }, spec: { containers: [container] } }),
    ).rejects.toThrow(InvalidNameError);
    await expect(
      c
        .api(Pod)
        .create({ metadata: { name: "x", namespace: "other" }, spec: { containers: [container] } }),
    ).rejects.toThrow(/does not match/);
    expect(requests).toEqual([]);
  });

  it("answers discovery", async () => {
    expect((await (await client).discovery.coreVersions()).versions).toEqual(["v1"]);
  });
});

describe("patch bodies", () => {
  it("reach the wire exactly as serialised (no parse and re-serialise on the way)", async () => {
    const sent: { body: unknown; type: string | null }[] = [];
    const capturing = await createClient({
      credentials: credentialsFor({ url: DEFAULT_MSW_BASE_URL }, token, "team-a"),
      rateLimit: false,
      fetch: async (_url, init) => {
        sent.push({ body: init?.body, type: new Headers(init?.headers).get("content-type") });
        return Response.json({ kind: "ConfigMap", metadata: { name: "x" } });
      },
    });
    // A number JSON.parse cannot keep (2^64) and spacing a re-serialisation would drop.
    const body =
      '{ "metadata": { "annotations": { "n": "1" } }, "spec": { "n": 18446744073709551616 } }';
    const maps = capturing.api(ConfigMap);
    await maps.patch("x", { contentType: "application/merge-patch+json", body });
    await maps.apply(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "1" } },
      { fieldManager: "kin" },
    );
    expect(sent[0]).toEqual({ body, type: "application/merge-patch+json" });
    expect(sent[1]).toEqual({
      body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":"1"}}',
      type: "application/apply-patch+yaml",
    });
  });
});
