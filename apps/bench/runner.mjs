// @ts-check
/**
 * One (client × case × run), in a fresh process: `node runner.mjs <client> <case>` with
 * BENCH_PORT, BENCH_CA and BENCH_TOKEN in the environment. Warms up, times the case, checks that
 * the work was really done, and prints one JSON line: `{ ms, work, maxRssKb }`.
 */
import { performance } from "node:perf_hooks";
import { LIST_SIZES, NAMESPACE, WATCH_EVENTS } from "./fixtures.mjs";

const [clientName = "", caseName = ""] = process.argv.slice(2);
const port = Number(process.env.BENCH_PORT);
const ca = process.env.BENCH_CA ?? "";
const token = process.env.BENCH_TOKEN ?? "";
const server = `https://127.0.0.1:${port}`;
const POD = "web-7d4b9c6f5-00000";

/**
 * @typedef {object} Client
 * @property {() => Promise<any>} get one pod
 * @property {(ns: string) => Promise<any>} list the pods of a namespace
 * @property {(ns: string) => Promise<number>} watch a whole watch; resolves with the number of events
 * @property {() => Promise<void>} close
 */

/** @type {Record<string, () => Promise<Client>>} */
const clients = {
  /** kin's transport, rate limiter off. */
  async kin() {
    const { createTransport } = await import("@kin/transport");
    const { staticTokenProvider } = await import("@kin/credentials");
    const transport = createTransport(
      {
        server,
        ca,
        auth: staticTokenProvider(token),
        namespace: NAMESPACE,
        origin: { kind: "static" },
      },
      { rateLimit: false },
    );
    return {
      get: () => transport.request({ path: `/api/v1/namespaces/${NAMESPACE}/pods/${POD}` }),
      list: (ns) => transport.request({ path: `/api/v1/namespaces/${ns}/pods` }),
      async watch(ns) {
        let n = 0;
        for await (const event of transport.watch({ path: `/api/v1/namespaces/${ns}/pods` })) {
          if (event.object) n++;
        }
        return n;
      },
      close: () => transport.close(),
    };
  },

  /** The floor: undici.request on a Pool with the CA, JSON.parse of the text, NDJSON split by hand. */
  async undici() {
    const { Pool } = await import("undici");
    const pool = new Pool(server, { connect: { ca } });
    const headers = { accept: "application/json", authorization: `Bearer ${token}` };
    /** @param {string} path */
    const getJson = async (path) => {
      const { statusCode, body } = await pool.request({ path, method: "GET", headers });
      const text = await body.text();
      if (statusCode !== 200) throw new Error(`${path} → ${statusCode}`);
      return JSON.parse(text);
    };
    return {
      get: () => getJson(`/api/v1/namespaces/${NAMESPACE}/pods/${POD}`),
      list: (ns) => getJson(`/api/v1/namespaces/${ns}/pods`),
      async watch(ns) {
        const { statusCode, body } = await pool.request({
          path: `/api/v1/namespaces/${ns}/pods?watch=true`,
          method: "GET",
          headers,
          bodyTimeout: 0,
        });
        if (statusCode !== 200) throw new Error(`watch → ${statusCode}`);
        body.setEncoding("utf8");
        let n = 0;
        let pending = "";
        for await (const chunk of body) {
          pending += chunk;
          let start = 0;
          let newline = pending.indexOf("\n");
          while (newline !== -1) {
            const event = JSON.parse(pending.slice(start, newline));
            if (event.object) n++;
            start = newline + 1;
            newline = pending.indexOf("\n", start);
          }
          pending = pending.slice(start);
        }
        return n;
      },
      close: () => pool.close(),
    };
  },

  /** The second floor: undici's fetch with a CA Agent. */
  async fetch() {
    const { Agent, fetch } = await import("undici");
    const dispatcher = new Agent({ connect: { ca } });
    const headers = { accept: "application/json", authorization: `Bearer ${token}` };
    /** @param {string} path */
    const getJson = async (path) => {
      const response = await fetch(`${server}${path}`, { headers, dispatcher });
      if (response.status !== 200) throw new Error(`${path} → ${response.status}`);
      return response.json();
    };
    return {
      get: () => getJson(`/api/v1/namespaces/${NAMESPACE}/pods/${POD}`),
      list: (ns) => getJson(`/api/v1/namespaces/${ns}/pods`),
      async watch(ns) {
        const response = await fetch(`${server}/api/v1/namespaces/${ns}/pods?watch=true`, {
          headers,
          dispatcher,
        });
        if (response.status !== 200 || !response.body)
          throw new Error(`watch → ${response.status}`);
        const decoder = new TextDecoder();
        let n = 0;
        let pending = "";
        for await (const chunk of response.body) {
          pending += decoder.decode(chunk, { stream: true });
          let start = 0;
          let newline = pending.indexOf("\n");
          while (newline !== -1) {
            const event = JSON.parse(pending.slice(start, newline));
            if (event.object) n++;
            start = newline + 1;
            newline = pending.indexOf("\n", start);
          }
          pending = pending.slice(start);
        }
        return n;
      },
      close: () => dispatcher.close(),
    };
  },

  /** @kubernetes/client-node 2.0.1: CoreV1Api and its Watch. */
  async "client-node"() {
    const k8s = await import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "bench", server, caData: Buffer.from(ca).toString("base64") }],
      users: [{ name: "bench", token }],
      contexts: [{ name: "bench", cluster: "bench", user: "bench" }],
      currentContext: "bench",
    });
    const api = kc.makeApiClient(k8s.CoreV1Api);
    const watcher = new k8s.Watch(kc);
    return {
      get: () => api.readNamespacedPod({ name: POD, namespace: NAMESPACE }),
      list: (ns) => api.listNamespacedPod({ namespace: ns }),
      watch: (ns) =>
        new Promise((resolve, reject) => {
          let n = 0;
          watcher
            .watch(
              `/api/v1/namespaces/${ns}/pods`,
              {},
              (_type, object) => {
                if (object) n++;
              },
              (error) => (error ? reject(error) : resolve(n)),
            )
            .catch(reject);
        }),
      close: async () => {},
    };
  },
};

/**
 * @param {() => Promise<unknown>} task
 * @param {number} total
 * @param {number} concurrency
 */
async function times(task, total, concurrency) {
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started++;
      await task();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** @param {unknown} value @param {boolean} ok @param {string} what */
function check(value, ok, what) {
  if (!ok)
    throw new Error(
      `${clientName}/${caseName}: ${what}, got ${JSON.stringify(value)?.slice(0, 200)}`,
    );
}

/** @type {Record<string, (c: Client) => Promise<{ ms: number, work: number }>>} */
const cases = {
  async "get-seq"(c) {
    await times(c.get, 50, 1);
    const pod = await c.get();
    check(pod?.metadata?.name, pod?.metadata?.name === POD, "a pod");
    const t = performance.now();
    await times(c.get, 2_000, 1);
    return { ms: performance.now() - t, work: 2_000 };
  },
  async "get-par16"(c) {
    await times(c.get, 64, 16);
    const t = performance.now();
    await times(c.get, 2_000, 16);
    return { ms: performance.now() - t, work: 2_000 };
  },
  async "list-100"(c) {
    await times(() => c.list("small"), 5, 1);
    const list = await c.list("small");
    check(list?.items?.length, list?.items?.length === LIST_SIZES.small, "100 items");
    const t = performance.now();
    await times(() => c.list("small"), 200, 1);
    return { ms: performance.now() - t, work: 200 };
  },
  async "list-5000"(c) {
    const list = await c.list("large");
    check(list?.items?.length, list?.items?.length === LIST_SIZES.large, "5,000 items");
    const t = performance.now();
    await times(() => c.list("large"), 20, 1);
    return { ms: performance.now() - t, work: 20 };
  },
  async watch(c) {
    const warm = await c.watch("warm");
    check(warm, warm === WATCH_EVENTS.warm, "every warm-up event");
    const t = performance.now();
    const n = await c.watch("bench");
    const ms = performance.now() - t;
    check(n, n === WATCH_EVENTS.bench, "every event");
    return { ms, work: n };
  },
};

const makeClient = clients[clientName];
const run = cases[caseName];
if (!makeClient || !run) {
  console.error(
    `usage: node runner.mjs <${Object.keys(clients).join("|")}> <${Object.keys(cases).join("|")}>`,
  );
  process.exit(2);
}
const client = await makeClient();
const result = await run(client);
await client.close();
process.stdout.write(
  `${JSON.stringify({ ...result, maxRssKb: process.resourceUsage().maxRSS })}\n`,
);
process.exit(0);
