import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createApiServer,
  createPodEnvironment,
  generateCertificates,
  type HttpsListener,
  listen,
  type PodEnvironment,
} from "@kin/mock-server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createClient, loadInCluster, Pod } from "../src/index.js";

// End to end: a simulated pod's service-account files and env, the client's in-cluster loading,
// and the mock server's real HTTPS listener verified with the pod's ca.crt.
const api = createApiServer();
let listener: HttpsListener;
let pod: PodEnvironment;
beforeAll(async () => {
  api.add({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } });
  api.add({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "cart-0", namespace: "shop" },
    spec: { containers: [{ name: "c" }] },
  });
  listener = await listen(api);
  pod = await createPodEnvironment({
    host: listener.host,
    port: listener.port,
    ca: listener.ca,
    token: api.issueToken(),
    namespace: "shop",
  });
});
afterAll(async () => {
  await listener.close();
  await pod.cleanup();
});

it("lists the pods of its namespace from inside a simulated pod", async () => {
  const client = await createClient({
    credentials: await loadInCluster({ dir: pod.dir, env: pod.env }),
  });
  const pods = await client.api(Pod).list();
  expect(client.namespace).toBe("shop");
  expect(pods.items.map((p) => p.metadata?.name)).toEqual(["cart-0"]);
  await client.close();
});

it("re-reads a rotated token when the server refuses the old one, and goes on", async () => {
  const client = await createClient({
    credentials: await loadInCluster({ dir: pod.dir, env: pod.env }),
  });
  await client.api(Pod).list();
  const old = (await readFile(join(pod.dir, "token"), "utf8")).trim();
  await pod.rotateToken(api.issueToken());
  api.revokeToken(old);
  await expect(client.api(Pod).list()).resolves.toMatchObject({ kind: "PodList" });
  await client.close();
});

it("trusts a rotated ca.crt after the server's certificate changes", async () => {
  const client = await createClient({
    credentials: await loadInCluster({ dir: pod.dir, env: pod.env }),
  });
  await client.api(Pod).list();
  // The cluster's CA is rotated: the API server restarts with a certificate from a new CA on the
  // same address, and the kubelet publishes the new ca.crt.
  await listener.close();
  const certificates = await generateCertificates();
  listener = await listen(api, { port: listener.port, certificates });
  await pod.rotateCa(certificates.ca);
  await expect(client.api(Pod).list()).resolves.toMatchObject({ kind: "PodList" });
  await client.close();
});

it("keeps every request succeeding while the kubelet rotates the token under load", async () => {
  const client = await createClient({
    credentials: await loadInCluster({ dir: pod.dir, env: pod.env }),
    rateLimit: false,
  });
  let current = (await readFile(join(pod.dir, "token"), "utf8")).trim();
  let rotating = true;
  const rotations = (async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      const next = api.issueToken();
      await pod.rotateToken(next);
      api.revokeToken(current);
      current = next;
    }
    rotating = false;
  })();
  let requests = 0;
  const workers = Array.from({ length: 8 }, async () => {
    while (rotating) {
      await client.api(Pod).list();
      requests++;
    }
  });
  await Promise.all([rotations, ...workers]);
  expect(requests).toBeGreaterThan(40);
  await client.close();
});
