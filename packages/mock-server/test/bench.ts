// Figures for the mock server itself (a script that prints, never a pass/fail test):
//   cd packages/mock-server && node scripts/bench.mjs   (bundles this file with esbuild, runs it)
import { Agent, request } from "node:https";
import { createApiServer, listen } from "../src/index.js";

const api = createApiServer();
const token = api.issueToken();
const listener = await listen(api);
const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: listener.ca });
const get = (path: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(
      `${listener.url}${path}`,
      { agent, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let n = 0;
        res.on("data", (c: Buffer) => (n += c.length));
        res.on("end", () => resolve(n));
      },
    );
    req.on("error", reject);
    req.end();
  });

api.add({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "small", namespace: "default" },
  data: { a: "1" },
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

// 1. small GETs over HTTPS (keep-alive, 16 in flight)
for (let i = 0; i < 500; i++) await get("/api/v1/namespaces/default/configmaps/small");
const total = 10_000;
let started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next++ < total) await get("/api/v1/namespaces/default/configmaps/small");
  }),
);
const rps = total / ((performance.now() - started) / 1000);
console.log(
  `listener small GETs: ${Math.round(rps)} requests/s (${total} requests, 16 concurrent, HTTPS keep-alive)`,
);

// 2. a 5,000-pod list
api.seed(
  Array.from({ length: 5000 }, (_, i) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `pod-${String(i).padStart(5, "0")}`,
      namespace: "default",
      labels: { app: `a${i % 10}` },
    },
    spec: { containers: [{ name: "c", image: "nginx:1.25", resources: {} }], nodeName: "node-1" },
    status: { phase: "Running", podIP: `10.0.${i >> 8}.${i & 255}` },
  })),
);
const core: number[] = [];
const https: number[] = [];
let bytes = 0;
for (let i = 0; i < 10; i++) {
  started = performance.now();
  const res = await api.handle(
    new Request("https://kubernetes.default.svc/api/v1/namespaces/default/pods", {
      headers: { authorization: `Bearer ${token}` },
    }),
  );
  await res.text();
  core.push(performance.now() - started);
  started = performance.now();
  bytes = await get("/api/v1/namespaces/default/pods");
  https.push(performance.now() - started);
}
console.log(
  `5,000-pod list: core ${median(core).toFixed(1)} ms, over HTTPS ${median(https).toFixed(1)} ms (median of 10, ${(bytes / 1e6).toFixed(1)} MB)`,
);

// 3. watch fan-out: N watchers through handle(), one change each round
for (const watchers of [1000, 10_000]) {
  const readers = await Promise.all(
    Array.from({ length: watchers }, async () => {
      const res = await api.handle(
        new Request(
          `https://kubernetes.default.svc/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${api.resourceVersion}`,
          {
            headers: { authorization: `Bearer ${token}` },
          },
        ),
      );
      return (res.body as ReadableStream<Uint8Array>).getReader();
    }),
  );
  started = performance.now();
  const rounds = 20;
  for (let r = 0; r < rounds; r++) {
    api.add({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `fan-${watchers}-${r}`, namespace: "default" },
    });
    await Promise.all(readers.map((reader) => reader.read()));
  }
  const per = (performance.now() - started) / rounds;
  console.log(
    `watch fan-out: ${watchers} watchers, ${per.toFixed(1)} ms per change delivered to all (${((per * 1000) / watchers).toFixed(2)} µs per watcher)`,
  );
  await Promise.all(readers.map((reader) => reader.cancel()));
}
console.log(`open watches after cancel: ${api.watchCount}`);
await listener.close();
agent.destroy();
