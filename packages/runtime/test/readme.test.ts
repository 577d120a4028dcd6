import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createApiServer, type HttpsListener, listen } from "@kin/mock-server";
import { afterAll, beforeAll, describe, it, vi } from "vitest";

// Runs every ```ts block of the README against the mock server, through a kubeconfig named by
// KUBECONFIG, exactly as a reader would copy it (only the package import is pointed at src/).
const root = fileURLToPath(new URL("..", import.meta.url));
const work = join(root, "test", ".readme");
const api = createApiServer({ bookmarkIntervalMs: 100 });
let listener: HttpsListener;

const readme = await readFile(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);

beforeAll(async () => {
  listener = await listen(api);
  api.add({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-0", namespace: "default", labels: { app: "web" } },
    spec: { nodeName: "node-1", containers: [{ name: "web", image: "nginx" }] },
  });
  await mkdir(work, { recursive: true });
  await writeFile(
    join(work, "kubeconfig"),
    `current-context: mock
contexts: [{ name: mock, context: { cluster: mock, user: reader } }]
clusters: [{ name: mock, cluster: { server: "${listener.url}", certificate-authority-data: ${Buffer.from(listener.ca).toString("base64")} } }]
users: [{ name: reader, user: { token: ${api.issueToken()} } }]
`,
  );
  vi.stubEnv("KUBECONFIG", join(work, "kubeconfig"));
  vi.spyOn(console, "log").mockImplementation(() => {});
});
afterAll(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  api.close();
  await listener.close();
  await rm(work, { recursive: true, force: true });
});

describe("README examples", () => {
  it("has the tour", () => {
    if (blocks.length < 5)
      throw new Error(`expected the README's tour, found ${blocks.length} blocks`);
  });
  blocks.forEach((code, index) => {
    it(`example ${index + 1} runs: ${code
      .split("\n")
      .find((l) => l.startsWith("const"))
      ?.trim()}`, async () => {
      const file = join(work, `example-${index + 1}.ts`);
      await writeFile(
        file,
        code.replaceAll(
          'from "@kin/runtime"',
          `from ${JSON.stringify(join(root, "src", "index.ts"))}`,
        ),
      );
      await import(pathToFileURL(file).href);
    });
  });
});
