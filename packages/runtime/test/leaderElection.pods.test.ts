import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createPodEnvironment,
  type PodEnvironment,
  podIsolation,
  spawnInPod,
} from "@kin/mock-server";
import { Lease } from "@kin/resources";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fixture, startFixture, until } from "./fixture.js";

// Three candidates as real processes in simulated pods (each with its own service account token at
// the real path): the leader is killed with SIGKILL — no release, no goodbye — or stopped with
// SIGTERM, and every process reports its terms on the host's monotonic clock, so overlaps between
// processes can be checked exactly.
const isolation = await podIsolation();
if (!isolation.available)
  console.warn(`runtime leader election pod tests skipped: ${isolation.reason}; run them as root`);

const TIMING = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 250 };
const here = fileURLToPath(new URL(".", import.meta.url));

interface Candidate {
  identity: string;
  child: ChildProcess;
  exited: Promise<void>;
  ready: Promise<void>;
}
interface Term {
  identity: string;
  start: bigint;
  end: bigint | undefined;
}

describe.skipIf(!isolation.available)("leader election between processes in simulated pods", () => {
  let fixture: Fixture;
  let work: string;
  let bundle: string;
  const pods: PodEnvironment[] = [];
  const candidates: Candidate[] = [];
  const terms: Term[] = [];

  beforeAll(async () => {
    fixture = await startFixture();
    work = await mkdtemp(join(tmpdir(), "kin-runtime-pods-"));
    bundle = join(work, "candidate.mjs");
    // One file with @kin/* from their sources, as the test runs them (no build needed).
    await build({
      entryPoints: [join(here, "candidate.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      conditions: ["@kin/source"],
      outfile: bundle,
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      logLevel: "error",
    });
  });
  afterAll(async () => {
    for (const c of candidates) c.child.kill("SIGKILL");
    await Promise.all(candidates.map((c) => c.exited));
    await Promise.all(pods.map((pod) => pod.cleanup()));
    if (work) await rm(work, { recursive: true, force: true });
    await fixture?.close();
  });

  const leaderOf = () => terms.find((t) => t.end === undefined);
  const leaseRenewed = async () => {
    const leases = (await fixture.client({ rateLimit: false })).api(Lease, {
      namespace: "default",
    });
    const before = (await leases.get("pods-election")).spec?.renewTime;
    await until(
      async () => (await leases.get("pods-election")).spec?.renewTime !== before,
      "a renewal",
    );
  };

  async function spawn(identity: string): Promise<Candidate> {
    const pod = await createPodEnvironment({
      host: fixture.listener.host,
      port: fixture.listener.port,
      ca: fixture.listener.ca,
      serviceAccount: { apiServer: fixture.api, serviceAccountName: identity },
    });
    pods.push(pod);
    const child = spawnInPod(pod, process.execPath, [bundle], {
      env: { CANDIDATE: identity, LEASE: "pods-election", TIMING: JSON.stringify(TIMING) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let isReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      isReady = resolve;
    });
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      for (let newline = buffered.indexOf("\n"); newline !== -1; newline = buffered.indexOf("\n")) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const message = JSON.parse(line) as { event: string; identity: string; t: string };
        if (message.event === "ready") isReady();
        if (message.event === "started")
          terms.push({ identity, start: BigInt(message.t), end: undefined });
        if (message.event === "stopped") {
          const term = terms.find((t) => t.identity === identity && t.end === undefined);
          if (term) term.end = BigInt(message.t);
        }
      }
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const candidate = { identity, child, exited, ready };
    candidates.push(candidate);
    return candidate;
  }

  it("fails over after SIGKILL within about a lease duration, hands over after SIGTERM at once, never two leaders", async () => {
    let next = 0;
    for (let i = 0; i < 3; i++) await (await spawn(`pod-${++next}`)).ready;
    const failovers: number[] = [];
    const handovers: number[] = [];
    for (let round = 0; round < 4; round++) {
      await until(() => leaderOf() !== undefined, "a leader", 30_000);
      const term = leaderOf() as Term;
      const leader = candidates.find((c) => c.identity === term.identity) as Candidate;
      const graceful = round % 2 === 1;
      const at = process.hrtime.bigint();
      leader.child.kill(graceful ? "SIGTERM" : "SIGKILL");
      if (!graceful) term.end = at; // a killed process leads nothing from then on
      await leader.exited;
      await until(
        () => terms.some((t) => t.start > at && t.identity !== term.identity),
        "a new leader",
        30_000,
      );
      const successor = terms.find((t) => t.start > at && t.identity !== term.identity) as Term;
      (graceful ? handovers : failovers).push(Number(successor.start - at) / 1e6);
      // A new candidate replaces the stopped one; measure the next round once it runs and the
      // leader has renewed since (process start-up competes for the two cores with everything else).
      await (await spawn(`pod-${++next}`)).ready;
      await leaseRenewed();
    }
    const ms = (values: number[]) => values.map((v) => `${Math.round(v)} ms`).join(", ");
    console.log(
      `leader election between pods (lease ${TIMING.leaseDurationMs} ms, retry ${TIMING.retryPeriodMs} ms): ` +
        `fail-over after SIGKILL ${ms(failovers)}; hand-over after SIGTERM ${ms(handovers)}; ${terms.length} terms: ${terms.map((t) => `${t.identity} ${t.end === undefined ? "open" : `${Math.round(Number(t.end - t.start) / 1e6)} ms`}`).join(", ")}`,
    );
    const overlaps: string[] = [];
    for (const a of terms)
      for (const b of terms)
        if (a !== b && a.start < b.start && (a.end === undefined || b.start < a.end))
          overlaps.push(`${a.identity} and ${b.identity}`);
    expect(overlaps).toEqual([]);
    expect(failovers).toHaveLength(2);
    expect(handovers).toHaveLength(2);
  }, 120_000);
});
