// @ts-check
/**
 * The benchmark's API server: HTTPS on 127.0.0.1 with keep-alive, serving precomputed bodies, in
 * its own process (started by bench.mjs with an IPC channel; it exits when the parent goes away).
 *
 * - GET /api/v1/namespaces/<ns>/pods/<name>   → one ~2.5 KB pod
 * - GET /api/v1/namespaces/small/pods         → a list of 100 pods
 * - GET /api/v1/namespaces/large/pods         → a list of 5,000 pods (~12.6 MB)
 * - GET /api/v1/namespaces/<ns>/pods?watch=true → WATCH_EVENTS[ns] MODIFIED events, written as
 *   fast as the socket drains (backpressure respected), then the stream ends
 */
import { createServer } from "node:https";
import { LIST_SIZES, pod, podList, WATCH_EVENTS } from "./fixtures.mjs";

const TOKEN = process.env.BENCH_TOKEN ?? "";
const BATCH = 20; // events per write (~52 KB)

const podBody = Buffer.from(JSON.stringify(pod(0)));
/** @type {Record<string, Buffer>} */
const lists = Object.fromEntries(
  Object.entries(LIST_SIZES).map(([ns, size]) => [ns, Buffer.from(JSON.stringify(podList(size)))]),
);
// Five batches of 20 different pods, cycled.
const batches = Array.from({ length: 5 }, (_, b) =>
  Buffer.from(
    Array.from(
      { length: BATCH },
      (_, i) => `${JSON.stringify({ type: "MODIFIED", object: pod(b * BATCH + i) })}\n`,
    ).join(""),
  ),
);

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} events
 */
async function streamWatch(res, events) {
  res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
  let closed = false;
  res.once("close", () => {
    closed = true;
  });
  const total = Math.ceil(events / BATCH);
  for (let i = 0; i < total && !closed; i++) {
    if (!res.write(batches[i % batches.length])) {
      await new Promise((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve(undefined);
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
  }
  res.end();
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {Buffer} body
 */
function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
}

const notFound = Buffer.from(
  JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    reason: "NotFound",
    code: 404,
  }),
);
const unauthorized = Buffer.from(
  JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    reason: "Unauthorized",
    code: 401,
  }),
);

process.once("message", (/** @type {{ key: string, cert: string }} */ { key, cert }) => {
  const server = createServer({ key, cert, keepAliveTimeout: 120_000 }, (req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(res, 401, unauthorized);
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const parts = url.pathname.split("/"); // "", api, v1, namespaces, <ns>, pods, <name>?
    const ns = parts[4] ?? "";
    if (parts.length === 7 && parts[5] === "pods") return send(res, 200, podBody);
    if (parts.length === 6 && parts[5] === "pods") {
      if (url.searchParams.get("watch") === "true") {
        const events = WATCH_EVENTS[/** @type {keyof typeof WATCH_EVENTS} */ (ns)];
        if (events) return void streamWatch(res, events);
      } else {
        const list = lists[ns];
        if (list) return send(res, 200, list);
      }
    }
    send(res, 404, notFound);
  });
  server.keepAliveTimeout = 120_000;
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.send?.({
      port: typeof address === "object" && address ? address.port : 0,
      podBytes: podBody.length,
      listBytes: Object.fromEntries(Object.entries(lists).map(([ns, b]) => [ns, b.length])),
      eventBytes: batches[0].length / BATCH,
    });
  });
});
process.once("disconnect", () => process.exit(0));
