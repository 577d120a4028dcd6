import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiServer, type HttpsListener, listen } from "@kin/mock-server";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createClient, Pod } from "../src/index.js";

// createClient() with no options finds a kubeconfig through KUBECONFIG, as kubectl does.
const api = createApiServer();
let listener: HttpsListener;
let dir: string;
beforeAll(async () => {
  listener = await listen(api);
  dir = await mkdtemp(join(tmpdir(), "kin-client-"));
  await writeFile(
    join(dir, "config"),
    `current-context: local
contexts: [{ name: local, context: { cluster: mock, user: me, namespace: kube-system } }]
clusters: [{ name: mock, cluster: { server: "${listener.url}", certificate-authority-data: ${Buffer.from(listener.ca).toString("base64")} } }]
users: [{ name: me, user: { token: ${api.issueToken()} } }]
`,
  );
  vi.stubEnv("KUBECONFIG", join(dir, "config"));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await listener.close();
  await rm(dir, { recursive: true, force: true });
});

it("uses the kubeconfig named by KUBECONFIG when given no credentials", async () => {
  const client = await createClient();
  expect(client.namespace).toBe("kube-system");
  expect((await client.api(Pod).list()).kind).toBe("PodList");
  await client.close();
});
