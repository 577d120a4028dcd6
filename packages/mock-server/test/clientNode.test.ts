// @kubernetes/client-node 2.0.1 (a dev dependency of these tests only) against the HTTPS listener:
// list, create, patch (JSON merge and strategic merge) and watch, as its users do.
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpsListener, listen } from "../src/adapters/httpsListener.js";
import { type ApiServer, createApiServer } from "../src/server/apiServer.js";

let api: ApiServer;
let listener: HttpsListener;
let kc: KubeConfig;

const pod = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "demo", labels },
  spec: { containers: [{ name: "c", image: "nginx:1.25" }] },
});

beforeAll(async () => {
  api = createApiServer();
  api.seed([
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } },
    pod("web-1", { app: "web" }),
    pod("db-1", { app: "db" }),
  ]);
  listener = await listen(api);
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: "mock",
        server: listener.url,
        caData: Buffer.from(listener.ca).toString("base64"),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: "mock", token: api.issueToken() }],
    contexts: [{ name: "mock", cluster: "mock", user: "mock", namespace: "demo" }],
    currentContext: "mock",
  });
});

afterAll(async () => {
  await listener?.close();
  api?.close();
});

describe("@kubernetes/client-node 2.0.1 against the HTTPS listener", () => {
  it("lists, with a label selector", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const all = await core.listNamespacedPod({ namespace: "demo" });
    expect(all.items.map((p) => p.metadata?.name).sort()).toEqual(["db-1", "web-1"]);
    expect(all.metadata?.resourceVersion).toMatch(/^\d+$/);
    const web = await core.listNamespacedPod({ namespace: "demo", labelSelector: "app=web" });
    expect(web.items.map((p) => p.metadata?.name)).toEqual(["web-1"]);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain("kube-system");
    await expect(core.readNamespacedPod({ name: "nope", namespace: "demo" })).rejects.toMatchObject(
      {
        code: 404,
      },
    );
  });

  it("creates", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const created = await core.createNamespacedConfigMap({
      namespace: "demo",
      body: { metadata: { name: "settings" }, data: { mode: "fast" } },
    });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const apps = kc.makeApiClient(AppsV1Api);
    const d = await apps.createNamespacedDeployment({
      namespace: "demo",
      body: {
        metadata: { name: "shop" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "shop" } },
          template: {
            metadata: { labels: { app: "shop" } },
            spec: { containers: [{ name: "web", image: "shop:1" }] },
          },
        },
      },
    });
    expect(d.metadata?.generation).toBe(1);
    await expect(
      core.createNamespacedConfigMap({
        namespace: "demo",
        body: { metadata: { name: "settings" } },
      }),
    ).rejects.toMatchObject({ code: 409 });
  });

  it("patches: JSON merge patch and strategic merge patch", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const merged = await core.patchNamespacedConfigMap(
      { name: "settings", namespace: "demo", body: { data: { mode: null, size: "10" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(merged.data).toEqual({ size: "10" });
    const apps = kc.makeApiClient(AppsV1Api);
    const strategic = await apps.patchNamespacedDeployment(
      {
        name: "shop",
        namespace: "demo",
        body: {
          spec: { template: { spec: { containers: [{ name: "sidecar", image: "envoy" }] } } },
        },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    expect(strategic.spec?.template.spec?.containers.map((c) => c.name).sort()).toEqual([
      "sidecar",
      "web",
    ]);
    const json = await core.patchNamespacedPod(
      {
        name: "web-1",
        namespace: "demo",
        body: [{ op: "add", path: "/metadata/labels/patched", value: "yes" }],
      },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    expect(json.metadata?.labels).toEqual({ app: "web", patched: "yes" });
    // The generic object API: server-side apply.
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const applied = await objects.patch(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "applied", namespace: "demo" },
        data: { a: "1" },
      } as never,
      undefined,
      undefined,
      "kin-test",
      true,
      PatchStrategy.ServerSideApply,
    );
    expect((applied as { data?: unknown }).data).toEqual({ a: "1" });
  });

  it("watches ADDED, MODIFIED and DELETED", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const list = await core.listNamespacedPod({ namespace: "demo" });
    const events: string[] = [];
    let done: ((error: unknown) => void) | undefined;
    const ended = new Promise((resolve) => {
      done = resolve;
    });
    const controller = await new Watch(kc).watch(
      "/api/v1/namespaces/demo/pods",
      { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      (phase, object) => events.push(`${phase} ${object.metadata?.name}`),
      (error) => done?.(error),
    );
    const until = async (n: number) => {
      const deadline = Date.now() + 5_000;
      while (events.length < n && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
    };
    try {
      await core.createNamespacedPod({ namespace: "demo", body: pod("watched") });
      await until(1);
      await core.patchNamespacedPod(
        { name: "watched", namespace: "demo", body: { metadata: { labels: { seen: "yes" } } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      await until(2);
      await core.deleteNamespacedPod({ name: "watched", namespace: "demo", gracePeriodSeconds: 0 });
      await until(3);
      expect(events).toEqual(["ADDED watched", "MODIFIED watched", "DELETED watched"]);
    } finally {
      controller.abort();
    }
    // An aborted watch ends through `done`.
    await Promise.race([ended, new Promise((r) => setTimeout(r, 2_000))]);
  });
});
