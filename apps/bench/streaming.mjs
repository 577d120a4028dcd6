// @ts-check
/**
 * Exec and port-forward: kin's client against @kubernetes/client-node 2.0.1, through the mock
 * server's HTTPS listener and simulated kubelet (one process: both ends' CPU is in the figures).
 *
 *   node streaming.mjs [--runs N] [--gigabyte]
 *
 * - exec round trip: a whole `exec true` (upgrade, status, close), sequential, median of N;
 * - echo round trip: one small message through `cat` in an open session and back, median of N;
 * - port-forward throughput: 256 MB from a TCP server behind the pod's port to a local connection,
 *   against a direct loopback connection to the same server (client-node through a local server
 *   piping to its PortForward, as its README does: it has no listener of its own);
 * - with --gigabyte: 1 GB through stdin and stdout of `cat` (v5), checksummed, with peak RSS growth.
 * Needs the packages built (`npx pnpm@12.4.2 turbo run build --filter=@kin/client...`).
 */
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, createServer } from "node:net";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { createClient, Pod } from "@kin/client";
import { createApiServer, credentialsFor, listen } from "@kin/mock-server";
import { Exec, KubeConfig, PortForward } from "@kubernetes/client-node";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "200" }, gigabyte: { type: "boolean" } },
});
const runs = Math.max(20, Number(values.runs) || 200);
const MB = 1024 * 1024;
const median = (/** @type {number[]} */ xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const api = createApiServer({ remoteCommandV5: true });
const token = api.issueToken();
api.seed(
  /** @type {any} */ ([
    { apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "bench", namespace: "default" },
      spec: { nodeName: "node-1", containers: [{ name: "c" }] },
      status: { phase: "Running" },
    },
  ]),
);
const listener = await listen(api);
const client = await createClient({
  credentials: credentialsFor(listener, token),
  rateLimit: false,
});
const pods = client.api(Pod);
const kc = new KubeConfig();
kc.loadFromOptions({
  clusters: [
    { name: "m", server: listener.url, caData: Buffer.from(listener.ca).toString("base64") },
  ],
  users: [{ name: "m", token }],
  contexts: [{ name: "m", cluster: "m", user: "m", namespace: "default" }],
  currentContext: "m",
});
const sink = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

/** A source of `bytes` behind the pod's port 9000. */
const SOURCE_BYTES = 256 * MB;
const block = randomBytes(MB);
const source = createServer(async (socket) => {
  socket.on("error", () => {});
  for (let sent = 0; sent < SOURCE_BYTES && !socket.destroyed; sent += block.length) {
    if (!socket.write(block)) await once(socket, "drain");
  }
  socket.end();
});
source.listen(0, "127.0.0.1");
await once(source, "listening");
const sourcePort = /** @type {import("node:net").AddressInfo} */ (source.address()).port;
api.kubelet.forwardPort("default", "bench", 9000, { port: sourcePort });

/**
 * Reads `SOURCE_BYTES` from `port`; ms to the last byte. The socket is then closed by us: client-node
 * never ends the local connection when the pod's side closes.
 */
async function drain(port) {
  const started = performance.now();
  const socket = connect(port, "127.0.0.1");
  let received = 0;
  for await (const chunk of socket) {
    received += chunk.length;
    if (received >= SOURCE_BYTES) break;
  }
  socket.destroy();
  if (received !== SOURCE_BYTES) throw new Error(`received ${received} of ${SOURCE_BYTES}`);
  return performance.now() - started;
}

const lines = [];
const report = (/** @type {string} */ line) => {
  lines.push(line);
  console.log(line);
};

// exec round trip
for (const [name, once_] of /** @type {const} */ ([
  [
    "kin",
    async () => {
      const session = await pods.exec("bench", ["true"]);
      await session.result;
    },
  ],
  [
    "client-node",
    () =>
      new Promise((resolve, reject) => {
        new Exec(kc)
          .exec("default", "bench", "c", ["true"], sink(), sink(), null, false, (status) =>
            status.status === "Success" ? resolve(undefined) : reject(new Error(status.message)),
          )
          .catch(reject);
      }),
  ],
])) {
  for (let i = 0; i < 10; i++) await once_();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await once_();
    times.push(performance.now() - started);
  }
  report(
    `exec round trip (exec true), ${name}: median ${median(times).toFixed(2)} ms over ${runs}`,
  );
}

// echo round trip inside one session
{
  const session = await pods.exec("bench", ["cat"], { stdin: true, stderr: false });
  const reader = session.stdout?.[Symbol.asyncIterator]();
  const times = [];
  let echoed = 0;
  for (let i = 0; i < runs + 10; i++) {
    const started = performance.now();
    session.stdin?.write("x");
    while (echoed < i + 1) echoed += (await reader?.next())?.value?.length ?? 0;
    if (i >= 10) times.push(performance.now() - started);
  }
  session.stdin?.end();
  await session.result;
  report(
    `echo round trip in a session (cat), kin: median ${median(times).toFixed(3)} ms over ${runs}`,
  );
}

// port-forward throughput
{
  const direct = [];
  for (let i = 0; i < 3; i++) direct.push(await drain(sourcePort));
  const forward = await pods.portForward("bench", [9000]);
  const kin = [];
  for (let i = 0; i < 3; i++) kin.push(await drain(forward.ports[0]?.local ?? 0));
  await forward.close();
  // client-node has no listener: a local server piping each connection to PortForward, as its README shows.
  const local = createServer((socket) => {
    socket.on("error", () => {});
    void new PortForward(kc).portForward("default", "bench", [9000], socket, null, socket);
  });
  local.listen(0, "127.0.0.1");
  await once(local, "listening");
  const clientNode = [];
  for (let i = 0; i < 3; i++) {
    clientNode.push(
      await drain(/** @type {import("node:net").AddressInfo} */ (local.address()).port),
    );
  }
  local.close();
  const rate = (/** @type {number[]} */ ms) => ((SOURCE_BYTES / MB / median(ms)) * 1000).toFixed(0);
  report(
    `port-forward, 256 MB pod → local: direct loopback ${rate(direct)} MB/s, kin ${rate(kin)} MB/s, client-node ${rate(clientNode)} MB/s (medians of 3)`,
  );
}

// 1 GB through exec
if (values.gigabyte) {
  const total = 1024 * MB;
  const session = await pods.exec("bench", ["cat"], { stdin: true, stderr: false });
  const sent = createHash("sha256");
  const received = createHash("sha256");
  const before = process.memoryUsage().rss;
  let peak = before;
  let receivedBytes = 0;
  const started = performance.now();
  const reading = (async () => {
    for await (const chunk of session.stdout ?? []) {
      received.update(chunk);
      receivedBytes += chunk.length;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
  })();
  for (let offset = 0; offset < total; offset += block.length) {
    sent.update(block);
    if (!session.stdin?.write(block)) await once(/** @type {any} */ (session.stdin), "drain");
  }
  session.stdin?.end();
  await reading;
  await session.result;
  const ok = received.digest("hex") === sent.digest("hex") && receivedBytes === total;
  report(
    `1 GB through exec cat (${session.protocol}): ${((performance.now() - started) / 1000).toFixed(1)} s, checksum ${ok ? "equal" : "DIFFERENT"}, peak RSS growth ${((peak - before) / MB).toFixed(0)} MB`,
  );
}

await client.close();
await listener.close();
api.close();
source.close();
