// The launcher against the real binaries: a kube-apiserver v1.28 with etcd and kube-controller-manager,
// driven over HTTPS with node:https and the cluster CA, as any client would.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { credentialsFor, type HttpsListener } from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import { buildKubeApiServer, cacheRoot } from "../scripts/build.mjs";
import { type HttpAnswer, httpCall } from "../src/https.js";
import {
  type KubeApiServer,
  SERVICE_ACCOUNT_ISSUER,
  startKubeApiServer,
} from "../src/kubeApiServer.js";
import { freePort } from "../src/ports.js";
import { startServerProcess } from "../src/processes.js";

const { binaries, skip } = inject("kubeApiServer");
if (skip) console.warn(`[kube-apiserver] ${skip}`);

const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls `check` until it returns a value (not undefined), at most `ms`. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(200);
  }
}

describe.skipIf(skip !== undefined)("a real kube-apiserver", () => {
  let server: KubeApiServer;
  let startSeconds = 0;

  /** A request with `token` (default the admin's); JSON in and out. */
  const call = (
    method: string,
    path: string,
    options: { token?: string | null; body?: unknown; base?: string; contentType?: string } = {},
  ): Promise<HttpAnswer> => {
    const token = options.token === undefined ? server.adminToken : options.token;
    return httpCall(`${options.base ?? server.url}${path}`, {
      method,
      ca: server.ca,
      headers: {
        accept: "application/json",
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(options.body === undefined
          ? {}
          : { "content-type": options.contentType ?? "application/json" }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  };
  const json = <T = Record<string, any>>(answer: HttpAnswer) => JSON.parse(answer.body) as T;
  const createNamespace = async (name: string) => {
    const created = await call("POST", "/api/v1/namespaces", {
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
    });
    expect(created.status, created.body).toBe(201);
  };

  beforeAll(async () => {
    const started = Date.now();
    server = await startKubeApiServer({ binaries });
    startSeconds = (Date.now() - started) / 1000;
    console.log(
      `[kube-apiserver] started with its controller manager in ${startSeconds.toFixed(1)} s`,
    );
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("is ready, says v1.28 on /version and serves the listener's shape", async () => {
    const ready = await call("GET", "/readyz", { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toBe("ok");
    const version = json(await call("GET", "/version", { token: null }));
    expect(version.gitVersion).toBe(binaries?.version);
    expect(version.gitVersion).toMatch(/^v1\.28\.\d+$/);
    expect(version).toMatchObject({ major: "1", minor: "28", gitTreeState: "clean" });
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
    expect(server.host).toBe("127.0.0.1");
    expect(server.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    // What a test written for the mock's listener takes (checked by the typecheck), and its credentials.
    const listener: HttpsListener = server;
    expect(credentialsFor(listener, server.adminToken)).toMatchObject({
      server: server.url,
      ca: server.ca,
    });
    expect(server[Symbol.asyncDispose]).toEqual(expect.any(Function));
  });

  it("keeps the admin token out of util.inspect and JSON", async () => {
    const { inspect } = await import("node:util");
    expect(inspect(server, { depth: 5 })).not.toContain(server.adminToken);
    expect(JSON.stringify(server)).not.toContain(server.adminToken);
  });

  it("accepts the admin token (system:masters) and refuses anonymous and unknown tokens", async () => {
    const namespaces = await call("GET", "/api/v1/namespaces");
    expect(namespaces.status).toBe(200);
    expect(json(namespaces).items.map((n: any) => n.metadata.name)).toContain("kube-system");
    const whoami = json(
      await call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
        body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      }),
    );
    expect(whoami.status.userInfo.username).toBe("kin-admin");
    expect(whoami.status.userInfo.groups).toContain("system:masters");

    const anonymous = await call("GET", "/api/v1/namespaces", { token: null });
    expect(anonymous.status).toBe(403);
    expect(json(anonymous).message).toBe(
      'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope',
    );
    const unknown = await call("GET", "/api/v1/namespaces", { token: "not-a-token" });
    expect(unknown.status).toBe(401);
    expect(json(unknown)).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
  });

  it("serves the same API on ::1 with a certificate for it", async () => {
    const version = await call("GET", "/version", { base: server.ipv6Url });
    expect(version.status).toBe(200);
    expect(json(version).gitVersion).toMatch(/^v1\.28\./);
  });

  it("issues real bound service-account tokens (TokenRequest), that TokenReview and SelfSubjectReview accept", async () => {
    await createNamespace("tokens");
    const token = await server.issueServiceAccountToken({ namespace: "tokens", name: "robot" });
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
    expect(claims).toMatchObject({
      iss: SERVICE_ACCOUNT_ISSUER,
      aud: [SERVICE_ACCOUNT_ISSUER],
      sub: "system:serviceaccount:tokens:robot",
      "kubernetes.io": { namespace: "tokens", serviceaccount: { name: "robot" } },
    });
    expect(claims.exp - claims.iat).toBe(3600);

    const review = json(
      await call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {
        body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } },
      }),
    );
    expect(review.status.authenticated).toBe(true);
    expect(review.status.user.username).toBe("system:serviceaccount:tokens:robot");
    expect(review.status.user.groups).toEqual([
      "system:serviceaccounts",
      "system:serviceaccounts:tokens",
      "system:authenticated",
    ]);
    const self = json(
      await call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
        token,
        body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      }),
    );
    expect(self.status.userInfo.username).toBe("system:serviceaccount:tokens:robot");

    // Bound to a pod: the claim names it, and the token dies with the pod.
    const pod = await call("POST", "/api/v1/namespaces/tokens/pods", {
      body: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p" },
        spec: { serviceAccountName: "robot", containers: [{ name: "c", image: "busybox" }] },
      },
    });
    expect(pod.status, pod.body).toBe(201);
    const bound = await server.issueServiceAccountToken({
      namespace: "tokens",
      name: "robot",
      pod: "p",
      expirationSeconds: 600,
    });
    const boundClaims = JSON.parse(Buffer.from(bound.split(".")[1] ?? "", "base64url").toString());
    expect(boundClaims["kubernetes.io"].pod).toEqual({ name: "p", uid: json(pod).metadata.uid });
    expect(boundClaims.exp - boundClaims.iat).toBe(600);
    const deleted = await call("DELETE", "/api/v1/namespaces/tokens/pods/p?gracePeriodSeconds=0");
    expect(deleted.status).toBe(200);
    const afterDelete = await call("GET", "/api/v1/namespaces/tokens/pods", { token: bound });
    expect(afterDelete.status).toBe(401);

    await expect(
      server.issueServiceAccountToken({
        namespace: "tokens",
        name: "robot",
        expirationSeconds: 60,
      }),
    ).rejects.toThrow(
      /TokenRequest for service account tokens\/robot failed: 422: .*may not specify a duration less than 10 minutes/,
    );
  });

  it("authorizes with RBAC: the real 403 for a fresh service account, then allowed by a RoleBinding", async () => {
    await createNamespace("rbac");
    const token = await server.issueServiceAccountToken({ namespace: "rbac", name: "reader" });
    const denied = await call("GET", "/api/v1/namespaces/rbac/pods", { token });
    expect(denied.status).toBe(403);
    expect(json(denied)).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'pods is forbidden: User "system:serviceaccount:rbac:reader" cannot list resource "pods" in API group "" in the namespace "rbac"',
      reason: "Forbidden",
      details: { kind: "pods" },
      code: 403,
    });
    expect(
      (
        await call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/rbac/roles", {
          body: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: { name: "pod-reader" },
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
          },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/rbac/rolebindings", {
          body: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: "reader" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
            subjects: [{ kind: "ServiceAccount", name: "reader", namespace: "rbac" }],
          },
        })
      ).status,
    ).toBe(201);
    // The authorizer reads RBAC objects through informers: allowed once it has seen the binding.
    const allowed = await eventually("the RoleBinding takes effect", async () => {
      const answer = await call("GET", "/api/v1/namespaces/rbac/pods", { token });
      return answer.status === 200 ? answer : undefined;
    });
    expect(json(allowed).kind).toBe("PodList");
  });

  it("authenticates client certificates signed by its CA", async () => {
    const { cert, key } = await server.issueClientCertificate({ user: "alice", groups: ["devs"] });
    const { request } = await import("node:https");
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${server.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`,
        {
          method: "POST",
          ca: server.ca,
          cert,
          key,
          headers: { "content-type": "application/json" },
        },
        (res) => {
          let text = "";
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () => resolve(text));
        },
      );
      req.on("error", reject);
      req.end(
        JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }),
      );
    });
    expect(JSON.parse(body).status.userInfo).toMatchObject({
      username: "alice",
      groups: ["devs", "system:authenticated"],
    });
  });

  it("runs the controller manager: default service accounts, kube-root-ca.crt, namespaces finish deleting", async () => {
    expect(server.controllerManager).toBe(true);
    await createNamespace("short-lived");
    await eventually("the default ServiceAccount and kube-root-ca.crt", async () => {
      const sa = await call("GET", "/api/v1/namespaces/short-lived/serviceaccounts/default");
      const ca = await call("GET", "/api/v1/namespaces/short-lived/configmaps/kube-root-ca.crt");
      return sa.status === 200 && ca.status === 200 ? ca : undefined;
    }).then((ca) => expect(json(ca).data["ca.crt"]).toBe(server.ca));
    expect((await call("DELETE", "/api/v1/namespaces/short-lived")).status).toBe(200);
    await eventually("the namespace is gone", async () => {
      const answer = await call("GET", "/api/v1/namespaces/short-lived");
      return answer.status === 404 ? answer : undefined;
    });
  });

  it("answers 410 Expired after a compaction: continue tokens, and watches that read etcd", async () => {
    await createNamespace("history");
    const configMap = (name: string) => ({
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { a: "1" } },
    });
    for (const name of ["a", "b", "c"])
      expect(
        (await call("POST", "/api/v1/namespaces/history/configmaps", configMap(name))).status,
      ).toBe(201);

    // Paginate, compact, continue: 410 with the apiserver's message about continue tokens.
    const first = await call("GET", "/api/v1/namespaces/history/configmaps?limit=1");
    const token = json(first).metadata.continue;
    expect(token).toEqual(expect.any(String));
    const all = json(await call("GET", "/api/v1/namespaces/history/configmaps")).items.length;
    expect(all).toBeGreaterThanOrEqual(3); // and kube-root-ca.crt once the controller manager made it
    expect(json(first).metadata.remainingItemCount).toBe(all - 1);
    // Events are not in the watch cache (as in every 1.28 server): their watches read etcd.
    const eventBody = (name: string) => ({
      body: {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name },
        involvedObject: { kind: "ConfigMap", namespace: "history", name: "a" },
        reason: "Test",
        message: "m",
      },
    });
    const e1 = await call("POST", "/api/v1/namespaces/history/events", eventBody("e1"));
    expect(e1.status).toBe(201);
    const since = json(e1).metadata.resourceVersion;
    // Two more writes: the compaction below then removes the revision after `since` (a watch from
    // `since` starts there), whatever else the server writes meanwhile.
    for (const name of ["e2", "e3"])
      expect(
        (await call("POST", "/api/v1/namespaces/history/events", eventBody(name))).status,
      ).toBe(201);
    const before = await call(
      "GET",
      `/api/v1/namespaces/history/events?watch=1&resourceVersion=${since}&timeoutSeconds=1`,
    );
    expect(
      before.body
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).type),
    ).toEqual(["ADDED", "ADDED"]);

    const revision = await server.compact();
    expect(revision).toBeGreaterThan(Number(since) + 1);

    const expired = await call(
      "GET",
      `/api/v1/namespaces/history/configmaps?limit=1&continue=${encodeURIComponent(token)}`,
    );
    expect(expired.status).toBe(410);
    expect(json(expired)).toMatchObject({ kind: "Status", reason: "Expired", code: 410 });
    expect(json(expired).message).toMatch(
      /^The provided continue parameter is too old to display a consistent list result\./,
    );

    // Config maps are in the watch cache: a watch from before the compaction is still served from it.
    const cached = await call(
      "GET",
      `/api/v1/namespaces/history/configmaps?watch=1&resourceVersion=${since}&timeoutSeconds=1`,
    );
    expect(cached.status).toBe(200);
    expect(cached.body).not.toContain('"ERROR"');

    const after = await call(
      "GET",
      `/api/v1/namespaces/history/events?watch=1&resourceVersion=${since}&timeoutSeconds=1`,
    );
    const gone = JSON.parse(after.body.trim());
    expect(gone.type).toBe("ERROR");
    expect(gone.object).toMatchObject({ reason: "Expired", code: 410 });
  });

  it("stop() ends every process and removes its folder", async () => {
    const pids = await serverPids(server);
    expect(pids.length).toBe(3);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    await server.stop();
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
    await server.stop(); // idempotent
  });
});

/** The pids of the processes whose command line names the server's folder. */
async function serverPids(server: KubeApiServer): Promise<number[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(server.dir)) pids.push(Number(entry));
  }
  return pids;
}

describe.skipIf(skip !== undefined)("the build cache", () => {
  it("answers from the cache once built: the same folder, nothing rebuilt", async () => {
    const again = await buildKubeApiServer();
    expect(again.cached).toBe(true);
    expect(again.dir).toBe(binaries?.dir);
    expect(again.dir.startsWith(cacheRoot())).toBe(true);
    expect(again.dir).toMatch(/\/v1\.28\.\d+-[0-9a-f]{12}$/);
  });
});

describe.skipIf(skip !== undefined)("when the launcher's process is gone", () => {
  it("its servers exit and etcd's wrapper removes the folder (standard input closed)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kin-parentwatch-"));
    const logs = await mkdtemp(join(tmpdir(), "kin-parentwatch-log-"));
    onTestFinished(() => rm(logs, { recursive: true, force: true }));
    const [client, peer] = [await freePort(), await freePort()];
    const etcd = startServerProcess(
      "etcd",
      binaries?.etcd ?? "",
      [
        `--data-dir=${join(dir, "data")}`,
        `--listen-client-urls=http://127.0.0.1:${client}`,
        `--advertise-client-urls=http://127.0.0.1:${client}`,
        `--listen-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-cluster=default=http://127.0.0.1:${peer}`,
      ],
      { logFile: join(logs, "etcd.log"), removeOnParentExit: dir },
    );
    onTestFinished(() => etcd.stop());
    await eventually(
      "etcd made its data folder",
      async () => (existsSync(join(dir, "data")) ? true : undefined),
      30_000,
    );
    // What the kernel does when this process dies: the write end of the pipe closes.
    etcd.child.stdin?.destroy();
    const exit = await etcd.exited;
    expect(exit.code).toBe(3);
    expect(existsSync(dir)).toBe(false);
    expect(await etcd.logTail()).toContain("standard input closed");
  });
});
