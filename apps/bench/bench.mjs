// @ts-check
/**
 * kin's transport against two floors (undici.request + JSON.parse; undici fetch) and
 * @kubernetes/client-node, against one loopback HTTPS server (server.mjs, its own process).
 * Every (client × case × run) runs in a fresh process (runner.mjs), so peak RSS is per case and
 * client, and JIT/GC state does not leak. Prints medians, min–max, peak RSS and ratios to the floor.
 *
 *   node bench.mjs [--runs N] [--cases get-seq,watch] [--clients kin,undici]
 *
 * BENCH_RUNS also sets the number of runs (default 5; never fewer than 3).
 */
import { execFile, fork } from "node:child_process";
import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { generateCertificates } from "@kin/mock-server";

const execFileAsync = promisify(execFile);
const here = (/** @type {string} */ file) => fileURLToPath(new URL(file, import.meta.url));

const CLIENTS = ["undici", "fetch", "kin", "client-node"];
/** @type {Record<string, { title: string, unit: string, rate: (ms: number, work: number) => number }>} */
const CASES = {
  "get-seq": {
    title: "2,000 sequential GETs of one ~2.5 KB pod",
    unit: "req/s",
    rate: (ms, work) => (work / ms) * 1000,
  },
  "get-par16": {
    title: "2,000 GETs, 16 in flight",
    unit: "req/s",
    rate: (ms, work) => (work / ms) * 1000,
  },
  "list-100": {
    title: "200 lists of 100 pods",
    unit: "ms/list",
    rate: (ms, work) => ms / work,
  },
  "list-5000": {
    title: "20 lists of 5,000 pods",
    unit: "ms/list",
    rate: (ms, work) => ms / work,
  },
  watch: {
    title: "a watch of 50,000 events",
    unit: "events/s",
    rate: (ms, work) => (work / ms) * 1000,
  },
};

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: process.env.BENCH_RUNS ?? "5" },
    cases: { type: "string", default: Object.keys(CASES).join(",") },
    clients: { type: "string", default: CLIENTS.join(",") },
  },
});
const runs = Math.max(3, Number(values.runs) || 3);
const caseNames = values.cases.split(",").filter((name) => name in CASES);
const clientNames = values.clients.split(",").filter((name) => CLIENTS.includes(name));

/** @param {number[]} xs */
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
/** @param {number} x @param {number} digits */
const fmt = (x, digits = 0) =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const rateDigits = (/** @type {string} */ unit) => (unit === "ms/list" ? 1 : 0);

const wallStart = performance.now();
const token = `bench-${Math.random().toString(36).slice(2)}`;
const { ca, cert, key } = await generateCertificates(["127.0.0.1", "localhost"]);
const server = fork(here("./server.mjs"), [], {
  env: { ...process.env, BENCH_TOKEN: token },
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
/** @type {{ port: number, podBytes: number, listBytes: Record<string, number>, eventBytes: number }} */
const info = await new Promise((resolve, reject) => {
  server.once("message", resolve);
  server.once("exit", (code) => reject(new Error(`benchmark server exited (${code})`)));
  server.send({ key, cert });
});

console.log(
  `machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? "?"}), Node ${process.version}, ${process.platform}/${process.arch}`,
);
console.log(
  `server: https://127.0.0.1:${info.port} (own process); pod ${fmt(info.podBytes)} B, list of 100 ${fmt(info.listBytes.small / 1e6, 2)} MB, list of 5,000 ${fmt(info.listBytes.large / 1e6, 2)} MB, watch event ${fmt(info.eventBytes)} B`,
);
console.log(
  `${runs} runs per client and case, each in a fresh process; clients in rotating order within a run\n`,
);

const env = { ...process.env, BENCH_PORT: String(info.port), BENCH_CA: ca, BENCH_TOKEN: token };
/** @type {Map<string, { ms: number, work: number, maxRssKb: number }[]>} */
const results = new Map();
try {
  for (const caseName of caseNames) {
    const spec = CASES[caseName];
    for (let run = 0; run < runs; run++) {
      // Rotate the order so no client always runs right after a heavy one.
      const order = clientNames.map((_, i) => clientNames[(i + run) % clientNames.length]);
      for (const client of order) {
        const { stdout } = await execFileAsync(
          process.execPath,
          [here("./runner.mjs"), client, caseName],
          { env, timeout: 180_000, maxBuffer: 1 << 20 },
        );
        const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
        const key = `${caseName}/${client}`;
        results.set(key, [...(results.get(key) ?? []), result]);
      }
    }
    printCase(caseName, spec);
  }
} finally {
  server.disconnect();
  server.kill();
}
console.log(`total wall time: ${fmt((performance.now() - wallStart) / 1000, 1)} s`);

/**
 * @param {string} caseName
 * @param {{ title: string, unit: string, rate: (ms: number, work: number) => number }} spec
 */
function printCase(caseName, spec) {
  const rows = clientNames.map((client) => {
    const samples = results.get(`${caseName}/${client}`) ?? [];
    const ms = samples.map((s) => s.ms);
    const work = samples[0]?.work ?? 0;
    return {
      client,
      ms: median(ms),
      min: Math.min(...ms),
      max: Math.max(...ms),
      rate: spec.rate(median(ms), work),
      rssMb: median(samples.map((s) => s.maxRssKb)) / 1024,
    };
  });
  const floor = rows.find((row) => row.client === "undici");
  const digits = rateDigits(spec.unit);
  const table = [
    ["client", "median ms", spec.unit, "min–max ms", "peak RSS MB", "time × floor", "RSS × floor"],
    ...rows.map((row) => [
      row.client === "undici"
        ? "undici.request (floor)"
        : row.client === "fetch"
          ? "undici fetch"
          : row.client,
      fmt(row.ms, 1),
      fmt(row.rate, digits),
      `${fmt(row.min, 1)}–${fmt(row.max, 1)}`,
      fmt(row.rssMb, 1),
      floor ? `${fmt(row.ms / floor.ms, 2)}×` : "–",
      floor ? `${fmt(row.rssMb / floor.rssMb, 2)}×` : "–",
    ]),
  ];
  const widths = table[0].map((_, col) => Math.max(...table.map((line) => line[col].length)));
  console.log(`${caseName}: ${spec.title}`);
  for (const [i, line] of table.entries()) {
    console.log(
      `  ${line.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join("  ")}`,
    );
    if (i === 0) console.log(`  ${widths.map((w) => "-".repeat(w)).join("  ")}`);
  }
  console.log("");
}
