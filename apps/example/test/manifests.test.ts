// The manifests of deploy/ against the mock server with RBAC on, applied by the real kubectl v1.28, and the
// service account's permissions checked exhaustively with SelfSubjectAccessReviews: it may do exactly what
// the app needs (list pods; list and watch configmaps, in kin-example; the bootstrap discovery and
// self-review rights every authenticated user has) and nothing else. Skipped, with a message, where the
// kubectl binary cannot be fetched (see @kin/mock-server/kubectl).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ApiServer, createApiServer, type HttpsListener, listen } from "@kin/mock-server";
import { kubeconfigFor, kubectlBinary, kubectlOk, runKubectl } from "@kin/mock-server/kubectl";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const deploy = fileURLToPath(new URL("../deploy/", import.meta.url));
const NAMESPACE = "kin-example";
const SERVICE_ACCOUNT = "kin-example";
const OTHER_NAMESPACE = "default";
const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

let missing: string | undefined;
let api: ApiServer;
let listener: HttpsListener;
let agent: Agent;
let work: string;
let adminConfig: string;
let saConfig: string;
let saToken: string;

/** One HTTPS request to the listener (verified against its CA); the status and the parsed JSON body. */
function call(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, listener.url),
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
          } catch (error) {
            reject(
              new Error(`${method} ${path} → ${res.statusCode}: not JSON: ${text}`, {
                cause: error,
              }),
            );
          }
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The status of a GET once its headers arrive (for a watch: the stream is not read, the socket is closed). */
function statusOf(path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, listener.url),
      { agent: false, ca: listener.ca, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      },
    );
    req.on("error", (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end();
  });
}

/** `items` mapped with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface Resource {
  group: string;
  resource: string;
  subresource: string;
  namespaced: boolean;
}

/** Every resource and subresource the server's discovery lists, once per group (RBAC ignores versions). */
async function discoveredResources(token: string): Promise<Resource[]> {
  const lists: { group: string; path: string }[] = [{ group: "", path: "/api/v1" }];
  const groups = await call("GET", "/apis", token);
  expect(groups.status).toBe(200);
  for (const g of groups.body.groups as { name: string; versions: { groupVersion: string }[] }[])
    for (const v of g.versions) lists.push({ group: g.name, path: `/apis/${v.groupVersion}` });
  const seen = new Map<string, Resource>();
  for (const { group, path } of lists) {
    const list = await call("GET", path, token);
    expect(list.status, path).toBe(200);
    for (const r of list.body.resources as { name: string; namespaced: boolean }[]) {
      const [resource = "", subresource = ""] = r.name.split("/");
      const key = `${group}/${r.name}`;
      if (!seen.has(key)) seen.set(key, { group, resource, subresource, namespaced: r.namespaced });
    }
  }
  return [...seen.values()];
}

/** "verb resource[/subresource][.group] in <namespace | cluster>" — one line of an allowed set. */
const describeCheck = (verb: string, r: Resource, namespace: string) =>
  `${verb} ${r.resource}${r.subresource ? `/${r.subresource}` : ""}${r.group ? `.${r.group}` : ""} ${
    namespace ? `in ${namespace}` : "cluster-wide"
  }`;

async function canI(
  token: string,
  verb: string,
  r: Resource,
  namespace: string,
): Promise<{ allowed: boolean; line: string }> {
  const review = await call(
    "POST",
    "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    token,
    {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: {
        resourceAttributes: {
          verb,
          group: r.group,
          resource: r.resource,
          subresource: r.subresource,
          namespace,
        },
      },
    },
  );
  if (review.status !== 201)
    throw new Error(`SelfSubjectAccessReview → ${review.status}: ${JSON.stringify(review.body)}`);
  return { allowed: review.body.status.allowed === true, line: describeCheck(verb, r, namespace) };
}

beforeAll(async () => {
  try {
    await kubectlBinary();
  } catch (error) {
    missing = `kubectl v1.28 could not be fetched: ${(error as Error).message}`;
    console.error(`\n\n!!! SKIPPING the deploy/ manifest tests: ${missing}\n\n`);
    return;
  }
  work = await mkdtemp(join(tmpdir(), "kin-example-manifests-"));
  api = createApiServer({ rbac: true });
  listener = await listen(api);
  agent = new Agent({ ca: listener.ca, keepAlive: true, maxSockets: 16 });
  adminConfig = join(work, "admin.kubeconfig");
  await writeFile(adminConfig, kubeconfigFor(listener, api.issueToken(), NAMESPACE));
}, 240_000);

afterAll(async () => {
  agent?.destroy();
  await listener?.close();
  api?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("apps/example/deploy with kubectl v1.28 and RBAC", () => {
  beforeEach((ctx) => {
    if (missing) ctx.skip(missing);
  });

  it("applies with kubectl apply -k (the base) and -f (both Deployments), strictly validated", async () => {
    const base = await kubectlOk(adminConfig, ["apply", "--validate=strict", "-k", deploy]);
    expect(base.trim().split("\n").sort()).toEqual([
      "deployment.apps/kin-example created",
      "namespace/kin-example created",
      "role.rbac.authorization.k8s.io/kin-example created",
      "rolebinding.rbac.authorization.k8s.io/kin-example created",
      "serviceaccount/kin-example created",
    ]);
    // The namespace first, then the folder (kubectl reads its .yaml files in name order).
    const all = await runKubectl(adminConfig, [
      "apply",
      "--validate=strict",
      "-f",
      join(deploy, "namespace.yaml"),
      "-f",
      deploy,
    ]);
    expect(all.stderr).toBe("");
    expect(all.code).toBe(0);
    expect(all.stdout).toContain("deployment.apps/kin-example-proxy created");
    expect(all.stdout).toContain("deployment.apps/kin-example unchanged");
    // Applying again changes nothing.
    const again = await kubectlOk(adminConfig, [
      "apply",
      "-f",
      join(deploy, "namespace.yaml"),
      "-f",
      deploy,
    ]);
    expect(again).not.toMatch(/created|configured/);

    const names = await kubectlOk(adminConfig, [
      "get",
      "deployments,serviceaccounts,roles,rolebindings",
      "-n",
      NAMESPACE,
      "-o",
      "name",
    ]);
    expect(names.trim().split("\n").sort()).toEqual([
      "deployment.apps/kin-example",
      "deployment.apps/kin-example-proxy",
      "role.rbac.authorization.k8s.io/kin-example",
      "rolebinding.rbac.authorization.k8s.io/kin-example",
      "serviceaccount/kin-example",
    ]);
  });

  it("the Deployments are hardened as stored by the server", async () => {
    const list = JSON.parse(
      await kubectlOk(adminConfig, ["get", "deployments", "-n", NAMESPACE, "-o", "json"]),
    );
    const byName = new Map<string, any>(list.items.map((d: any) => [d.metadata.name, d]));
    for (const [name, mode] of [
      ["kin-example", "client"],
      ["kin-example-proxy", "proxy"],
    ] as const) {
      const d = byName.get(name);
      expect(d, name).toBeDefined();
      expect(d.spec.replicas).toBe(1);
      const pod = d.spec.template.spec;
      expect(pod.serviceAccountName).toBe(SERVICE_ACCOUNT);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.terminationGracePeriodSeconds).toBe(30);
      expect(pod.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: "RuntimeDefault" },
      });
      // The token volume the kubelet would have made.
      const access = pod.volumes.find((v: any) => v.name === "kube-api-access");
      expect(access.projected.sources).toEqual([
        { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        {
          downwardAPI: {
            items: [
              {
                path: "namespace",
                fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" },
              },
            ],
          },
        },
      ]);
      for (const c of pod.containers) {
        expect(c.securityContext, `${name}/${c.name}`).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(Object.keys(c.resources).sort(), `${name}/${c.name}`).toEqual([
          "limits",
          "requests",
        ]);
      }
      const app = pod.containers.find((c: any) => c.name === "app");
      expect(app.image).toBe("kin-example:0.1.0");
      expect(app.imagePullPolicy).toBe("IfNotPresent");
      const env = Object.fromEntries(app.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
      expect(env.KIN_MODE).toBe(mode);
      expect(env.KIN_HEALTH_PORT).toBe("8080");
      expect(Number(env.KIN_SHUTDOWN_TIMEOUT)).toBeLessThan(pod.terminationGracePeriodSeconds);
      expect(env.POD_NAMESPACE).toEqual({ fieldRef: { fieldPath: "metadata.namespace" } });
      expect(app.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "health" });
      expect(app.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "health" });
      expect(app.ports).toEqual([{ name: "health", containerPort: 8080, protocol: "TCP" }]);
      if (mode === "client") {
        expect(pod.containers).toHaveLength(1);
        expect(app.volumeMounts).toEqual([
          {
            name: "kube-api-access",
            mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
            readOnly: true,
          },
        ]);
      } else {
        // Only the sidecar holds the token; the app talks plain http to it on loopback.
        expect(app.volumeMounts).toBeUndefined();
        expect(env.KIN_PROXY_URL).toBe("http://127.0.0.1:8001");
        const proxy = pod.containers.find((c: any) => c.name === "kubectl-proxy");
        expect(proxy.image).toMatch(/^registry\.k8s\.io\/kubectl:v1\.28\.\d+$/);
        expect([...proxy.command, ...proxy.args]).toEqual([
          "kubectl",
          "proxy",
          "--address=127.0.0.1",
          "--port=8001",
          "--accept-hosts=^localhost$,^127\\.0\\.0\\.1$",
        ]);
        expect(proxy.volumeMounts.map((m: any) => m.mountPath).sort()).toEqual([
          "/tmp",
          "/var/run/secrets/kubernetes.io/serviceaccount",
        ]);
      }
    }
  });

  describe("the service account kin-example/kin-example", () => {
    beforeAll(async () => {
      if (missing) return;
      // After the apply test: the ServiceAccount exists (the token is bound to its uid).
      saToken = api.issueServiceAccountToken({ namespace: NAMESPACE, name: SERVICE_ACCOUNT });
      saConfig = join(work, "sa.kubeconfig");
      await writeFile(saConfig, kubeconfigFor(listener, saToken, NAMESPACE));
    });

    it("may do exactly what the app needs, and nothing more (every verb × every discovered resource)", async () => {
      const resources = await discoveredResources(saToken);
      // Sanity: discovery is the full v1.28 catalogue, subresources included.
      expect(resources.length).toBeGreaterThan(80);
      expect(resources).toContainEqual({
        group: "",
        resource: "pods",
        subresource: "log",
        namespaced: true,
      });
      const namespaced = resources.filter((r) => r.namespaced);
      const clusterScoped = resources.filter((r) => !r.namespaced);
      const checks: [string, Resource, string][] = [];
      for (const verb of VERBS) {
        for (const r of namespaced)
          for (const ns of [NAMESPACE, OTHER_NAMESPACE, ""]) checks.push([verb, r, ns]);
        for (const r of clusterScoped) checks.push([verb, r, ""]);
      }
      const started = performance.now();
      const answers = await pool(checks, 32, ([verb, r, ns]) => canI(saToken, verb, r, ns));
      const elapsed = performance.now() - started;
      const allowed = answers.filter((a) => a.allowed).map((a) => a.line);
      expect(allowed.sort()).toEqual(
        [
          // The Role kin-example: what the app does.
          "list pods in kin-example",
          "list configmaps in kin-example",
          "watch configmaps in kin-example",
          // The bootstrap ClusterRole system:basic-user, bound to every authenticated user (the app uses
          // only the first: who am I).
          "create selfsubjectreviews.authentication.k8s.io cluster-wide",
          "create selfsubjectaccessreviews.authorization.k8s.io cluster-wide",
          "create selfsubjectrulesreviews.authorization.k8s.io cluster-wide",
        ].sort(),
      );
      console.info(
        `${checks.length} SelfSubjectAccessReviews (${VERBS.length} verbs × ${namespaced.length} namespaced resources × 3 scopes + ${clusterScoped.length} cluster-scoped) in ${Math.round(elapsed)} ms`,
      );
    }, 120_000); // a hang guard only: 1,904 reviews take about 6 s on a quiet machine and 40 s under heavy load

    it("non-resource paths: discovery and public info only", async () => {
      const review = async (path: string, verb = "get") => {
        const r = await call(
          "POST",
          "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
          saToken,
          {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SelfSubjectAccessReview",
            spec: { nonResourceAttributes: { path, verb } },
          },
        );
        expect(r.status).toBe(201);
        return r.body.status.allowed === true;
      };
      expect(await review("/api")).toBe(true);
      expect(await review("/apis")).toBe(true);
      expect(await review("/version")).toBe(true);
      expect(await review("/api", "post")).toBe(false);
      expect(await review("/metrics")).toBe(false);
      expect(await review("/logs")).toBe(false);
      expect(await review("/debug/pprof")).toBe(false);
    });

    it("the app's own requests succeed over HTTPS; the next ones along are 403", async () => {
      expect((await call("GET", "/api", saToken)).status).toBe(200);
      const who = await call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", saToken, {
        apiVersion: "authentication.k8s.io/v1",
        kind: "SelfSubjectReview",
      });
      expect(who.status).toBe(201);
      expect(who.body.status.userInfo.username).toBe(
        `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`,
      );
      expect((await call("GET", `/api/v1/namespaces/${NAMESPACE}/pods`, saToken)).status).toBe(200);
      expect(
        (await call("GET", `/api/v1/namespaces/${NAMESPACE}/configmaps`, saToken)).status,
      ).toBe(200);
      expect(
        await statusOf(
          `/api/v1/namespaces/${NAMESPACE}/configmaps?watch=true&timeoutSeconds=5`,
          saToken,
        ),
      ).toBe(200);
      for (const [method, path] of [
        ["GET", `/api/v1/namespaces/${NAMESPACE}/configmaps/kube-root-ca.crt`],
        ["GET", `/api/v1/namespaces/${NAMESPACE}/secrets`],
        ["GET", `/api/v1/namespaces/${OTHER_NAMESPACE}/pods`],
        ["GET", "/api/v1/pods"],
        ["DELETE", `/api/v1/namespaces/${NAMESPACE}/pods/x`],
      ] as const) {
        const r = await call(method, path, saToken);
        expect(r.status, `${method} ${path}`).toBe(403);
        expect(r.body.reason).toBe("Forbidden");
      }
    });

    it("kubectl auth can-i agrees (the real client's SelfSubjectAccessReview)", async () => {
      const can = async (...args: string[]) =>
        (await runKubectl(saConfig, ["auth", "can-i", ...args])).stdout.trim();
      expect(await can("list", "pods", "-n", NAMESPACE)).toBe("yes");
      expect(await can("watch", "configmaps", "-n", NAMESPACE)).toBe("yes");
      expect(await can("get", "configmaps", "-n", NAMESPACE)).toBe("no");
      expect(await can("list", "pods", "-n", OTHER_NAMESPACE)).toBe("no");
      expect(await can("create", "deployments.apps", "-n", NAMESPACE)).toBe("no");
      expect(await can("get", "/api")).toBe("yes");
      const whoami = JSON.parse(await kubectlOk(saConfig, ["auth", "whoami", "-o", "json"]));
      expect(whoami.status.userInfo.username).toBe(
        `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`,
      );
    });
  });
});
