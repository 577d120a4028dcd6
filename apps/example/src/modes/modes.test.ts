import { type Credentials, loadInCluster, loadProxy } from "@kin/credentials";
import {
  type ApiServer,
  createApiServer,
  createPodEnvironment,
  generateCertificates,
  type HttpsListener,
  type Listener,
  listen,
  listenProxy,
  type PodEnvironment,
} from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientCluster } from "./client.js";
import type { Cluster, ConfigMapEvent } from "./cluster.js";
import { rawCluster } from "./raw.js";

// The three modes keep one contract; each runs against the mock server's HTTPS listener (direct and
// client with a pod's service-account folder and verified TLS; proxy through a plain-http sidecar).
const NAMESPACE = "team-a";
let api: ApiServer;
let listener: HttpsListener;
let proxy: Listener;
let pod: PodEnvironment;

beforeAll(async () => {
  api = createApiServer();
  api.seed([
    { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web-0", namespace: NAMESPACE },
      spec: { containers: [{ name: "c" }] },
      status: { phase: "Running" },
    },
  ]);
  listener = await listen(api);
  pod = await createPodEnvironment({
    host: listener.host,
    port: listener.port,
    ca: listener.ca,
    namespace: NAMESPACE,
    serviceAccount: { apiServer: api, serviceAccountName: "app" },
  });
  proxy = await listenProxy(api, {
    token: api.issueServiceAccountToken({ namespace: NAMESPACE, name: "app" }),
  });
});
afterAll(async () => {
  await proxy.close();
  await listener.close();
  await pod.cleanup();
});

const inCluster = () => loadInCluster({ dir: pod.dir, env: pod.env });
const modes: [string, () => Promise<Cluster>][] = [
  ["client", async () => clientCluster(await inCluster())],
  ["direct", async () => rawCluster(await inCluster())],
  ["proxy", async () => rawCluster(loadProxy({ url: proxy.url, namespace: NAMESPACE }))],
];

async function next(events: AsyncIterator<ConfigMapEvent>): Promise<ConfigMapEvent> {
  const result = await events.next();
  if (result.done) throw new Error("the watch ended");
  return result.value;
}

describe.each(modes)("mode %s", (_mode, connect) => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await connect();
  });
  afterAll(() => cluster.close());

  it("reads the API versions, who it is and the pods of its namespace", async () => {
    expect(await cluster.apiVersions()).toEqual(["v1"]);
    const me = await cluster.whoAmI();
    expect(me.username).toBe(`system:serviceaccount:${NAMESPACE}:app`);
    expect(me.groups).toContain(`system:serviceaccounts:${NAMESPACE}`);
    expect(cluster.namespace).toBe(NAMESPACE);
    expect(await cluster.pods()).toEqual([{ name: "web-0", phase: "Running" }]);
  });

  it("watches config maps from a list, across a watch the server ends and one it cuts", async () => {
    const name = `settings-${_mode}`;
    const { resourceVersion } = await cluster.configMaps();
    const stop = new AbortController();
    const events = cluster.watchConfigMaps(resourceVersion, stop.signal)[Symbol.asyncIterator]();
    api.faults.set([
      { match: { verb: "watch", times: 1 }, fault: { cutWatchAfterEvents: 1 } },
      { match: { verb: "watch", times: 1 }, fault: { cutWatchAfterEvents: 1, reset: true } },
    ]);
    try {
      const first = next(events);
      api.add({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace: NAMESPACE },
        data: { b: "1", a: "2" },
      });
      expect(await first).toMatchObject({ type: "ADDED", name, keys: ["a", "b"] });
      // The first watch ended cleanly after that event; this change reaches the second one, which is cut.
      const second = next(events);
      await write("PUT", name, { data: { c: "3" } });
      expect(await second).toMatchObject({ type: "MODIFIED", name, keys: ["c"] });
      const third = next(events);
      await write("DELETE", name);
      expect(await third).toMatchObject({ type: "DELETED", name });
      expect(api.faults.counts()).toEqual({ "#0": 1, "#1": 1 });
    } finally {
      api.faults.clear();
      stop.abort();
      await events.return?.();
    }
  });

  it("throws a 410 when the version to watch from is gone from the server's history", async () => {
    const { resourceVersion } = await cluster.configMaps();
    api.add({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `gone-${_mode}`, namespace: NAMESPACE },
    });
    api.compact();
    const stop = new AbortController();
    const events = cluster.watchConfigMaps(resourceVersion, stop.signal)[Symbol.asyncIterator]();
    await expect(events.next()).rejects.toMatchObject({ code: 410 });
    stop.abort();
  });
});

/** A change by an administrator, through the server's own handler. */
async function write(method: "PUT" | "DELETE", name: string, body?: object): Promise<void> {
  const response = await api.handle(
    new Request(
      `https://kubernetes.default.svc/api/v1/namespaces/${NAMESPACE}/configmaps/${name}`,
      {
        method,
        headers: {
          Authorization: `Bearer ${api.issueToken()}`,
          "Content-Type": "application/json",
        },
        body:
          body &&
          JSON.stringify({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name, namespace: NAMESPACE },
            ...body,
          }),
      },
    ),
  );
  expect(response.status).toBe(200);
}

describe("mode direct on its own", () => {
  it("reads the rotated token after the server refuses the old one (401)", async () => {
    const credentials: Credentials = await inCluster();
    const cluster = rawCluster(credentials);
    try {
      expect((await cluster.whoAmI()).username).toBe(`system:serviceaccount:${NAMESPACE}:app`);
      await pod.rotateToken(); // the old token is revoked at once
      expect((await cluster.whoAmI()).username).toBe(`system:serviceaccount:${NAMESPACE}:app`);
    } finally {
      await cluster.close();
    }
  });

  it("names the server and the cause when TLS verification fails", async () => {
    const other = await createPodEnvironment({
      host: listener.host,
      port: listener.port,
      ca: (await generateCertificates()).ca,
      token: "t",
    });
    const cluster = rawCluster(await loadInCluster({ dir: other.dir, env: other.env }));
    await expect(cluster.apiVersions()).rejects.toThrow(
      new RegExp(`^GET https://127\\.0\\.0\\.1:${listener.port}/api: .*certificate`),
    );
    await cluster.close();
    await other.cleanup();
  });

  it("refuses a namespace that is not a DNS-1123 label before any request", () => {
    for (const namespace of ["../kube-system", "Team-A", "a/b", ""])
      expect(() => rawCluster(loadProxy({ url: proxy.url, namespace }))).toThrow(
        `namespace ${JSON.stringify(namespace)} is not a valid namespace name`,
      );
  });
});
