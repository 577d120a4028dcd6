import {
  type Certificates,
  createApiServer,
  credentialsFor,
  generateCertificates,
  type HttpsListener,
  listen,
} from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  ConfigMap,
  createClient,
  Deployment,
  jsonPatch,
  KubeApiError,
  mergePatch,
  Namespace,
  Node,
  Pod,
  strategicMergePatch,
} from "../src/index.js";

// Every operation of the typed API against the mock server's HTTPS listener (real TLS, real streams).
const api = createApiServer();
const token = api.issueToken();
let listener: HttpsListener;
let certificates: Certificates;
let client: Client;

const deployment = (name: string, replicas = 1) => ({
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{ name: "web", image: "nginx:1.25", env: [{ name: "A", value: "1" }] }],
      },
    },
  },
});

beforeAll(async () => {
  certificates = await generateCertificates();
  listener = await listen(api, { certificates });
  client = await createClient({
    credentials: credentialsFor(listener, token, "default"),
    rateLimit: false,
  });
});
afterAll(async () => {
  await client.close();
  await listener.close();
});

describe("CRUD", () => {
  it("creates, gets, replaces and deletes, with resourceVersion conflicts", async () => {
    const maps = client.api(ConfigMap);
    const created = await maps.create({ metadata: { name: "crud" }, data: { a: "1" } });
    expect(created.metadata?.namespace).toBe("default");
    const updated = await maps.replace({ ...created, data: { a: "2" } });
    expect(updated.data).toEqual({ a: "2" });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(
      Number(created.metadata?.resourceVersion),
    );
    const stale = (await maps
      .replace({ ...created, data: { a: "3" } })
      .catch((e: unknown) => e)) as KubeApiError;
    expect(stale).toBeInstanceOf(KubeApiError);
    expect(stale.isConflict()).toBe(true);
    expect((await maps.get("crud")).data).toEqual({ a: "2" });
    await maps.delete("crud");
    expect(((await maps.get("crud").catch((e: unknown) => e)) as KubeApiError).isNotFound()).toBe(
      true,
    );
  });

  it("pages through a list with listAll", async () => {
    const maps = client.api(ConfigMap, { namespace: "kube-public" });
    for (let i = 0; i < 7; i++)
      await maps.create({ metadata: { name: `page-${i}`, labels: { paged: "yes" } } });
    const names: string[] = [];
    for await (const item of maps.listAll({ labelSelector: "paged=yes", limit: 3 }))
      names.push(item.metadata?.name ?? "");
    expect(names).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4", "page-5", "page-6"]);
    const all = await client
      .api(ConfigMap, { allNamespaces: true })
      .list({ labelSelector: "paged=yes" });
    expect(all.items).toHaveLength(7);
    await maps.deleteCollection({ labelSelector: "paged=yes" });
    expect((await maps.list({ labelSelector: "paged=yes" })).items).toEqual([]);
  });

  it("works with cluster-scoped kinds", async () => {
    const namespaces = client.api(Namespace);
    await namespaces.create({ metadata: { name: "scratch" } });
    expect((await namespaces.get("scratch")).metadata?.name).toBe("scratch");
    expect(namespaces.namespace).toBeUndefined();
    expect(() =>
      (client.api as (d: unknown, w: unknown) => unknown)(Node, { namespace: "x" }),
    ).toThrow(/cluster-scoped/);
  });

  it("does a server-side dry run without writing", async () => {
    const maps = client.api(ConfigMap);
    const answer = await maps.create({ metadata: { name: "dry" } }, { dryRun: true });
    expect(answer.metadata?.name).toBe("dry");
    expect(((await maps.get("dry").catch((e: unknown) => e)) as KubeApiError).isNotFound()).toBe(
      true,
    );
  });
});

describe("patch and apply", () => {
  it("patches with JSON patch, merge patch and strategic merge patch", async () => {
    const deployments = client.api(Deployment);
    await deployments.create(deployment("patched"));
    await deployments.patch(
      "patched",
      jsonPatch([{ op: "replace", path: "/spec/replicas", value: 2 }]),
    );
    await deployments.patch("patched", mergePatch({ metadata: { labels: { tier: "front" } } }));
    const result = await deployments.patch(
      "patched",
      strategicMergePatch({
        spec: {
          template: { spec: { containers: [{ name: "web", env: [{ name: "B", value: "2" }] }] } },
        },
      }),
    );
    expect(result.spec?.replicas).toBe(2);
    expect(result.metadata?.labels).toEqual({ app: "patched", tier: "front" });
    // strategic merge: containers merge by name and env by name — A stays, B is added (the server
    // puts new items before the live ones), the image stays.
    const web = result.spec?.template.spec?.containers[0];
    expect(web).toMatchObject({ name: "web", image: "nginx:1.25" });
    expect(web?.env).toEqual([
      { name: "B", value: "2" },
      { name: "A", value: "1" },
    ]);
  });

  it("applies server-side, reports conflicts between managers and forces them", async () => {
    const deployments = client.api(Deployment);
    const config = {
      apiVersion: "apps/v1" as const,
      kind: "Deployment" as const,
      ...deployment("applied", 1),
    };
    const first = await deployments.apply(config, { fieldManager: "ci" });
    expect(
      first.metadata?.managedFields?.some((f) => f.manager === "ci" && f.operation === "Apply"),
    ).toBe(true);
    const conflict = (await deployments
      .apply({ ...config, spec: { ...config.spec, replicas: 5 } }, { fieldManager: "hpa" })
      .catch((e: unknown) => e)) as KubeApiError;
    expect(conflict).toBeInstanceOf(KubeApiError);
    expect(conflict.code).toBe(409);
    expect(conflict.message).toMatch(/conflict with "ci"/);
    const forced = await deployments.apply(
      { ...config, spec: { ...config.spec, replicas: 5 } },
      { fieldManager: "hpa", force: true },
    );
    expect(forced.spec?.replicas).toBe(5);
  });
});

describe("subresources", () => {
  it("reads and patches status and scale", async () => {
    const deployments = client.api(Deployment);
    await deployments.create(deployment("scaled", 1));
    const scale = await deployments.getScale("scaled");
    expect(scale).toMatchObject({ kind: "Scale", spec: { replicas: 1 } });
    await deployments.patchScale("scaled", mergePatch({ spec: { replicas: 4 } }));
    expect((await deployments.get("scaled")).spec?.replicas).toBe(4);
    const withStatus = await deployments.patchStatus(
      "scaled",
      mergePatch({ status: { readyReplicas: 4 } }),
    );
    expect(withStatus.status?.readyReplicas).toBe(4);
    expect((await deployments.getStatus("scaled")).status?.readyReplicas).toBe(4);
    await expect(client.api(ConfigMap).getScale("x")).rejects.toThrow(/has no scale subresource/);
  });
});

describe("delete options", () => {
  it("honours preconditions", async () => {
    const maps = client.api(ConfigMap);
    const created = await maps.create({ metadata: { name: "guarded" } });
    const refused = (await maps
      .delete("guarded", { preconditions: { uid: "not-the-uid" } })
      .catch((e: unknown) => e)) as KubeApiError;
    expect(refused.code).toBe(409);
    await maps.delete("guarded", { preconditions: { uid: created.metadata?.uid } });
  });
});

describe("watch", () => {
  it("sees changes, resumes across a cut connection without losing or repeating events", async () => {
    const maps = client.api(ConfigMap, { namespace: "kube-node-lease" });
    const list = await maps.list();
    const controller = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const event of maps.watch({
        resourceVersion: list.metadata.resourceVersion,
        signal: controller.signal,
      })) {
        seen.push(`${event.type}:${event.object.metadata?.name}`);
        if (seen.length === 3) controller.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await maps.create({ metadata: { name: "w1" } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Cut every connection: the server goes away; a change lands while the watcher is disconnected;
    // the server comes back on the same address.
    await listener.close();
    api.add({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "w2", namespace: "kube-node-lease" },
    });
    listener = await listen(api, { port: listener.port, certificates });
    await maps.create({ metadata: { name: "w3" } });
    await watching;
    expect(seen).toEqual(["ADDED:w1", "ADDED:w2", "ADDED:w3"]);
  });

  it("surfaces 410 Gone when the resume point is too old", async () => {
    api.compact();
    const error = await (async () => {
      for await (const _ of client.api(ConfigMap).watch({ resourceVersion: "1" })) {
        // nothing expected
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).isGone()).toBe(true);
  });
});

describe("raw, dynamic and events", () => {
  it("does the docs' GET /api in one line", async () => {
    expect(await client.raw.get("/api")).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
  });

  it("reaches a kind by apiVersion and kind through discovery", async () => {
    const dynamic = await client.dynamic("apps/v1", "Deployment");
    expect((await dynamic.list()).kind).toBe("DeploymentList");
  });

  it("lists the events of an object", async () => {
    const pod = await client.api(Pod).create({
      metadata: { name: "evented" },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    });
    await client.raw.post("/api/v1/namespaces/default/events", {
      metadata: { name: "evented.1" },
      involvedObject: {
        kind: "Pod",
        name: "evented",
        namespace: "default",
        uid: pod.metadata?.uid,
      },
      reason: "Scheduled",
      message: "assigned",
      type: "Normal",
    });
    const events = await client.events(pod);
    expect(events.items.map((e) => e.reason)).toEqual(["Scheduled"]);
  });
});
