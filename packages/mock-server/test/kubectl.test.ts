// The real kubectl v1.28 against the mock server's HTTPS listener: every command kin's users run in
// tests, asserted on kubectl's own output. The binary is fetched once per machine (src/harness/kubectl.ts).
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { type HttpsListener, listen } from "../src/adapters/httpsListener.js";
import {
  kubeconfigFor,
  kubectlBinary,
  kubectlEnv,
  kubectlOk,
  runKubectl,
} from "../src/harness/kubectl.js";
import { type ApiServer, createApiServer } from "../src/server/apiServer.js";

let kubectl: string | undefined;
let missing: string | undefined;
let api: ApiServer;
let listener: HttpsListener;
let work: string;
let kubeconfig: string;

const k = (args: string[], stdin?: string) => runKubectl(kubeconfig, args, { stdin });
const ok = (args: string[], stdin?: string) => kubectlOk(kubeconfig, args, { stdin });
const okJson = async (args: string[], stdin?: string): Promise<any> =>
  JSON.parse(await ok([...args, "-o", "json"], stdin));

const pod = (name: string, labels: Record<string, string> = {}, nodeName?: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "demo", labels },
  spec: { containers: [{ name: "c", image: "nginx:1.25" }], ...(nodeName ? { nodeName } : {}) },
});

beforeAll(async () => {
  try {
    kubectl = await kubectlBinary();
  } catch (error) {
    missing = `kubectl v1.28 could not be fetched: ${(error as Error).message}`;
    console.error(`\n\n!!! SKIPPING the kubectl tests: ${missing}\n\n`);
    return;
  }
  work = await mkdtemp(join(tmpdir(), "kin-kubectl-"));
  api = createApiServer();
  api.seed([
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } },
    pod("web-1", { app: "web", tier: "front" }, "node-a"),
    pod("web-2", { app: "web", tier: "front" }, "node-b"),
    pod("db-1", { app: "db" }, "node-a"),
  ]);
  listener = await listen(api);
  kubeconfig = join(work, "kubeconfig");
  await writeFile(kubeconfig, kubeconfigFor(listener, api.issueToken(), "demo"));
}, 240_000);

afterAll(async () => {
  await listener?.close();
  api?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("kubectl v1.28 against the HTTPS listener", () => {
  beforeEach((ctx) => {
    if (missing) ctx.skip(missing);
  });

  it("is v1.28", async () => {
    const v = JSON.parse(await ok(["version", "-o", "json"]));
    expect(v.clientVersion.gitVersion).toMatch(/^v1\.28\./);
    expect(v.serverVersion.gitVersion).toBe("v1.28.4");
  });

  it("get -o json, -o yaml, -l, --field-selector", async () => {
    const all = await okJson(["get", "pods"]);
    expect(all.kind).toBe("List");
    expect(all.items.map((p: any) => p.metadata.name).sort()).toEqual(["db-1", "web-1", "web-2"]);
    expect(all.items[0].kind).toBe("Pod");
    const one = await okJson(["get", "pod", "web-1"]);
    expect(one.metadata.labels).toEqual({ app: "web", tier: "front" });
    const yaml = parseYaml(await ok(["get", "pod", "db-1", "-o", "yaml"]));
    expect(yaml.metadata.name).toBe("db-1");
    expect(yaml.spec.containers[0].image).toBe("nginx:1.25");
    const web = await okJson(["get", "pods", "-l", "app=web,tier in (front)"]);
    expect(web.items.map((p: any) => p.metadata.name).sort()).toEqual(["web-1", "web-2"]);
    const onA = await okJson(["get", "pods", "--field-selector", "spec.nodeName=node-a"]);
    expect(onA.items.map((p: any) => p.metadata.name).sort()).toEqual(["db-1", "web-1"]);
    const bad = await k(["get", "pods", "--field-selector", "spec.image=x"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("field label not supported: spec.image");
    const gone = await k(["get", "pod", "nope"]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('pods "nope" not found');
  });

  it("get (the table)", async () => {
    const out = await ok(["get", "pods"]);
    expect(out.split("\n")[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(out).toMatch(/^web-1\s+/m);
    const wide = await ok(["get", "pods", "-o", "wide"]);
    expect(wide).toMatch(/NODE/);
    expect(wide).toMatch(/node-b/);
    const ns = await ok(["get", "namespaces"]);
    expect(ns).toMatch(/^demo\s+Active\s+/m);
  });

  it("get --raw", async () => {
    const version = JSON.parse(await ok(["get", "--raw", "/version"]));
    expect(version.gitVersion).toBe("v1.28.4");
    const pods = JSON.parse(await ok(["get", "--raw", "/api/v1/namespaces/demo/pods"]));
    expect(pods.kind).toBe("PodList");
    expect(pods.items).toHaveLength(3);
  });

  it("api-resources", async () => {
    const out = await ok(["api-resources"]);
    expect(out.split("\n")[0]).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND/);
    expect(out).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(out).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    const apps = await ok(["api-resources", "--api-group=apps", "-o", "name"]);
    expect(apps.split("\n")).toContain("deployments.apps");
    const versions = await ok(["api-versions"]);
    expect(versions.split("\n")).toContain("apps/v1");
  });

  it("explain", async () => {
    const out = await ok(["explain", "pods.spec.containers"]);
    expect(out).toMatch(/KIND:\s+Pod/);
    expect(out).toMatch(/FIELD:\s+containers/);
    expect(out).toMatch(/image\s+<string>/);
    const deploy = await ok(["explain", "deployment.spec.replicas"]);
    expect(deploy).toMatch(/GROUP:\s+apps/);
  });
});

const deployment = (image: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "shop", namespace: "demo", labels: { app: "shop", ...extra } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "shop" } },
      template: {
        metadata: { labels: { app: "shop" } },
        spec: {
          containers: [
            { name: "web", image, ports: [{ containerPort: 80 }] },
            { name: "sidecar", image: "envoy:1" },
          ],
        },
      },
    },
  });

describe("kubectl v1.28 writes", () => {
  beforeEach((ctx) => {
    if (missing) ctx.skip(missing);
  });

  it("create", async () => {
    const out = await ok(["create", "-f", "-"], JSON.stringify(pod("made")));
    expect(out.trim()).toBe("pod/made created");
    expect((await okJson(["get", "pod", "made"])).spec.containers[0].image).toBe("nginx:1.25");
    await ok(["create", "configmap", "settings", "--from-literal=mode=fast"]);
    expect((await okJson(["get", "configmap", "settings"])).data).toEqual({ mode: "fast" });
    const again = await k(["create", "-f", "-"], JSON.stringify(pod("made")));
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('pods "made" already exists');
    await ok(["create", "namespace", "other"]);
    expect((await okJson(["get", "namespace", "other"])).status.phase).toBe("Active");
  });

  it("apply (client-side): a new object, then the existing one with a strategic merge patch", async () => {
    expect((await ok(["apply", "-f", "-"], deployment("shop:1"))).trim()).toBe(
      "deployment.apps/shop created",
    );
    const created = await okJson(["get", "deployment", "shop"]);
    const lastApplied = JSON.parse(
      created.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"],
    );
    expect(lastApplied.spec.template.spec.containers[0].image).toBe("shop:1");
    const unchanged = await ok(["apply", "-f", "-"], deployment("shop:1"));
    expect(unchanged.trim()).toBe("deployment.apps/shop unchanged");
    // Someone else adds a container and a label; apply must keep them (not in last-applied).
    await ok([
      "patch",
      "deployment",
      "shop",
      "--type",
      "strategic",
      "-p",
      JSON.stringify({
        metadata: { labels: { owner: "ops" } },
        spec: { template: { spec: { containers: [{ name: "debug", image: "busybox" }] } } },
      }),
    ]);
    const configured = await ok(["apply", "-f", "-"], deployment("shop:2", { tier: "front" }));
    expect(configured.trim()).toBe("deployment.apps/shop configured");
    const after = await okJson(["get", "deployment", "shop"]);
    expect(after.metadata.labels).toEqual({ app: "shop", tier: "front", owner: "ops" });
    const containers = after.spec.template.spec.containers;
    expect(containers.map((c: any) => `${c.name}=${c.image}`).sort()).toEqual([
      "debug=busybox",
      "sidecar=envoy:1",
      "web=shop:2",
    ]);
    expect(after.metadata.generation).toBe(3);
    // A field removed from the manifest is removed from the object (it was in last-applied).
    const withoutTier = await ok(["apply", "-f", "-"], deployment("shop:2"));
    expect(withoutTier.trim()).toBe("deployment.apps/shop configured");
    expect((await okJson(["get", "deployment", "shop"])).metadata.labels).toEqual({
      app: "shop",
      owner: "ops",
    });
    const diff = await k(["diff", "-f", "-"], deployment("shop:3"));
    expect(diff.code).toBe(1); // kubectl diff: 1 means "differences found"
    expect(diff.stdout).toMatch(/^\+\s+- image: shop:3$/m);
  });

  it("apply --server-side", async () => {
    const manifest = JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "ssa", namespace: "demo" },
      data: { a: "1" },
    });
    expect((await ok(["apply", "--server-side", "-f", "-"], manifest)).trim()).toBe(
      "configmap/ssa serverside-applied",
    );
    const cm = await okJson(["get", "configmap", "ssa", "--show-managed-fields"]);
    expect(cm.data).toEqual({ a: "1" });
    expect(cm.metadata.managedFields[0]).toMatchObject({ manager: "kubectl", operation: "Apply" });
    // Another manager owns data.a: a conflict, then --force-conflicts takes it.
    await ok(["patch", "configmap", "ssa", "--type", "merge", "-p", '{"data":{"a":"2"}}']);
    const conflict = await k(["apply", "--server-side", "-f", "-"], manifest);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain("conflict");
    await ok(["apply", "--server-side", "--force-conflicts", "-f", "-"], manifest);
    expect((await okJson(["get", "configmap", "ssa"])).data).toEqual({ a: "1" });
  });

  it("label and annotate", async () => {
    expect((await ok(["label", "pod", "db-1", "env=prod"])).trim()).toBe("pod/db-1 labeled");
    const refused = await k(["label", "pod", "db-1", "env=dev"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("'env' already has a value (prod)");
    await ok(["label", "pod", "db-1", "env=dev", "--overwrite"]);
    expect((await okJson(["get", "pod", "db-1"])).metadata.labels).toEqual({
      app: "db",
      env: "dev",
    });
    await ok(["label", "pod", "db-1", "env-"]);
    expect((await okJson(["get", "pod", "db-1"])).metadata.labels).toEqual({ app: "db" });
    await ok(["label", "pods", "-l", "app=web", "canary=true"]);
    const canaries = await okJson(["get", "pods", "-l", "canary=true"]);
    expect(canaries.items).toHaveLength(2);
    expect((await ok(["annotate", "pod", "db-1", "note=hello world"])).trim()).toBe(
      "pod/db-1 annotated",
    );
    expect((await okJson(["get", "pod", "db-1"])).metadata.annotations).toEqual({
      note: "hello world",
    });
  });

  it("patch: strategic, merge and json", async () => {
    await ok(["apply", "-f", "-"], deployment("shop:2"));
    const strategic = await ok([
      "patch",
      "deployment",
      "shop",
      "-p",
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"envoy:2"}]}}}}',
    ]);
    expect(strategic.trim()).toBe("deployment.apps/shop patched");
    let d = await okJson(["get", "deployment", "shop"]);
    expect(d.spec.template.spec.containers.find((c: any) => c.name === "sidecar").image).toBe(
      "envoy:2",
    );
    expect(d.spec.template.spec.containers.length).toBeGreaterThan(1);
    await ok(["patch", "deployment", "shop", "--type", "merge", "-p", '{"spec":{"paused":true}}']);
    await ok([
      "patch",
      "deployment",
      "shop",
      "--type",
      "json",
      "-p",
      '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"shop:9"},{"op":"add","path":"/metadata/labels/patched","value":"json"}]',
    ]);
    d = await okJson(["get", "deployment", "shop"]);
    expect(d.spec.paused).toBe(true);
    expect(d.spec.template.spec.containers[0].image).toBe("shop:9");
    expect(d.metadata.labels.patched).toBe("json");
    const noop = await ok([
      "patch",
      "deployment",
      "shop",
      "--type",
      "merge",
      "-p",
      '{"spec":{"paused":true}}',
    ]);
    expect(noop.trim()).toBe("deployment.apps/shop patched (no change)");
    const bad = await k([
      "patch",
      "deployment",
      "shop",
      "--type",
      "json",
      "-p",
      '[{"op":"remove","path":"/spec/nope"}]',
    ]);
    expect(bad.code).not.toBe(0);
  });

  it("scale", async () => {
    await ok(["apply", "-f", "-"], deployment("shop:2"));
    expect((await ok(["scale", "deployment", "shop", "--replicas=5"])).trim()).toBe(
      "deployment.apps/shop scaled",
    );
    expect((await okJson(["get", "deployment", "shop"])).spec.replicas).toBe(5);
    const stale = await k(["scale", "deployment", "shop", "--replicas=1", "--current-replicas=3"]);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain("Expected replicas to be 3, was 5");
    const table = await ok(["get", "deployment", "shop"]);
    expect(table).toMatch(/^shop\s+0\/5\s+0\s+0\s+/m);
  });

  it("delete", async () => {
    await ok(["create", "-f", "-"], JSON.stringify(pod("doomed", { doomed: "yes" })));
    await ok(["create", "-f", "-"], JSON.stringify(pod("doomed-2", { doomed: "yes" })));
    expect((await ok(["delete", "pod", "doomed", "--wait=false"])).trim()).toBe(
      'pod "doomed" deleted',
    );
    const out = await ok(["delete", "pods", "-l", "doomed=yes"]);
    expect(out.trim()).toBe('pod "doomed-2" deleted');
    const none = await ok(["get", "pods", "-l", "doomed=yes", "-o", "name"]);
    expect(none.trim()).toBe("");
    const missingOne = await k(["delete", "pod", "doomed"]);
    expect(missingOne.code).not.toBe(0);
    expect(missingOne.stderr).toContain('pods "doomed" not found');
    await ok(["delete", "configmap", "settings"]);
  });

  it("get --watch prints a change made while it runs", async () => {
    const child = spawn(
      kubectl as string,
      ["--kubeconfig", kubeconfig, "get", "pods", "--watch", "-l", "watched=yes"],
      { env: kubectlEnv(work) },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const until = async (test: () => boolean, what: string) => {
      const deadline = Date.now() + 10_000;
      while (!test()) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`kubectl get --watch: no ${what}; stdout: ${stdout} stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      api.add(pod("watch-1", { watched: "yes" }));
      await until(() => /^watch-1\s+0\/1\s/m.test(stdout), "initial row");
      api.add(pod("watch-2", { watched: "yes" }));
      await until(() => /^watch-2\s+0\/1\s/m.test(stdout), "row for a new pod");
      await ok(["label", "pod", "watch-1", "watched=no", "--overwrite"]);
      await until(() => stdout.match(/^watch-1\s/gm)?.length === 2, "row for a pod leaving");
      expect(stdout.split("\n")[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    } finally {
      child.kill();
    }
  });
});

describe("kubeconfigFor", () => {
  it("is one cluster, user and current context (namespace default unless given)", () => {
    const config = JSON.parse(kubeconfigFor({ url: "https://127.0.0.1:1", ca: "PEM" }, "t0ken"));
    expect(config.clusters).toEqual([
      {
        name: "mock",
        cluster: {
          server: "https://127.0.0.1:1",
          "certificate-authority-data": Buffer.from("PEM").toString("base64"),
        },
      },
    ]);
    expect(config.users).toEqual([{ name: "mock", user: { token: "t0ken" } }]);
    expect(config.contexts).toEqual([
      { name: "mock", context: { cluster: "mock", user: "mock", namespace: "default" } },
    ]);
    expect(config["current-context"]).toBe("mock");
  });
});

describe("runKubectl and kubectlOk", () => {
  beforeEach((ctx) => {
    if (missing) ctx.skip(missing);
  });

  it("resolves on a non-zero exit; kubectlOk throws with the code and stderr", async () => {
    const r = await runKubectl(kubeconfig, ["get", "pod", "nope"]);
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toContain('pods "nope" not found');
    await expect(kubectlOk(kubeconfig, ["get", "pod", "nope"])).rejects.toThrow(
      /^kubectl get pod nope exited 1: .*pods "nope" not found/,
    );
  });

  it("HOME (kubectl's caches) is the kubeconfig's folder, or options.home", async () => {
    await kubectlOk(kubeconfig, ["get", "pods"]);
    expect(await readdir(join(work, ".kube", "cache"))).toContain("discovery");
    const home = await mkdtemp(join(work, "home-"));
    await kubectlOk(kubeconfig, ["get", "pods"], { home });
    expect(await readdir(join(home, ".kube", "cache"))).toContain("discovery");
  });

  it("rejects when kubectl outlives timeoutMs", async () => {
    // A server that accepts connections and never answers.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    const hung = join(work, "hung.kubeconfig");
    await writeFile(
      hung,
      kubeconfigFor({ url: `https://127.0.0.1:${port}`, ca: listener.ca }, "t"),
    );
    try {
      await expect(runKubectl(hung, ["get", "pods"], { timeoutMs: 1_000 })).rejects.toThrow(
        "kubectl get pods was killed by SIGTERM (timeout 1000 ms)",
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
