import { type Client, isKinError, KubeApiError } from "@kin/client";
import { Lease } from "@kin/resources";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLeaderElector, type LeaderElector, LeadershipLostError } from "../src/index.js";
import { type Fixture, startFixture, until } from "./fixture.js";

// Three candidates over the mock server's HTTPS listener, each with its own client (its own
// connections), with short durations through options (the defaults stay client-go's 15 s / 10 s / 2 s).
const TIMING = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 250 };

interface Candidate {
  elector: LeaderElector;
  stop: AbortController;
  done: Promise<void>;
}

let fixture: Fixture;
let admin: Client;
const clients: Client[] = [];

beforeAll(async () => {
  fixture = await startFixture();
  admin = await fixture.client({ rateLimit: false });
  for (let i = 0; i < 8; i++) clients.push(await fixture.client({ rateLimit: false }));
});
afterAll(() => fixture.close());

/**
 * Watches who believes it leads: every start is checked against every other candidate at that
 * instant, a sampler looks every millisecond, and every term is kept as an interval of this
 * process's monotonic clock to check that no two overlap.
 */
function referee() {
  const candidates: LeaderElector[] = [];
  const terms: { identity: string; start: number; end: number; reason?: unknown }[] = [];
  const violations: string[] = [];
  let samples = 0;
  const check = (when: string) => {
    const leaders = candidates.filter((c) => c.isLeader()).map((c) => c.identity);
    if (leaders.length > 1) violations.push(`${when}: ${leaders.join(" and ")} both lead`);
  };
  const sampler = setInterval(() => {
    samples++;
    check("sample");
  }, 1);
  return {
    candidates,
    terms,
    violations,
    get samples() {
      return samples;
    },
    onStartedLeading: (identity: string) => (signal: AbortSignal) => {
      check(`${identity} started`);
      const term: (typeof terms)[number] = {
        identity,
        start: performance.now(),
        end: Number.POSITIVE_INFINITY,
      };
      terms.push(term);
      signal.addEventListener("abort", () => {
        term.end = performance.now();
        term.reason = signal.reason;
      });
    },
    overlaps() {
      const found: string[] = [];
      for (const a of terms)
        for (const b of terms)
          if (a !== b && a.start < b.start && b.start < a.end)
            found.push(
              `${a.identity} [${a.start.toFixed(1)}, ${a.end.toFixed(1)}] and ${b.identity} from ${b.start.toFixed(1)}`,
            );
      return found;
    },
    stop: () => clearInterval(sampler),
  };
}

describe("leader election over HTTPS", () => {
  let leaseCount = 0;

  function candidates(
    count: number,
    options: {
      releaseOnCancel: boolean;
      ref: ReturnType<typeof referee>;
      lease: string;
      errors?: unknown[];
    },
  ) {
    const list: Candidate[] = [];
    const add = () => {
      const identity = `candidate-${list.length + 1}`;
      const stop = new AbortController();
      const elector = createLeaderElector(clients[list.length % clients.length] as Client, {
        lease: { name: options.lease, namespace: "default" },
        identity,
        ...TIMING,
        releaseOnCancel: options.releaseOnCancel,
        onStartedLeading: options.ref.onStartedLeading(identity),
        onError: (error) => options.errors?.push(error),
      });
      options.ref.candidates.push(elector);
      const candidate = { elector, stop, done: elector.run(stop.signal) };
      list.push(candidate);
      return candidate;
    };
    for (let i = 0; i < count; i++) add();
    return { list, add, leader: () => list.find((c) => c.elector.isLeader()) };
  }

  it("one of three leads; after a crash another takes over; a graceful stop hands over at once", async () => {
    const ref = referee();
    const lease = `election-${++leaseCount}`;
    // Crashes: candidates that do not release (a killed process cannot).
    const crashy = candidates(3, { releaseOnCancel: false, ref, lease });
    const failovers: number[] = [];
    for (let round = 0; round < 3; round++) {
      await until(() => crashy.leader() !== undefined, "a leader");
      const leader = crashy.leader() as Candidate;
      const killedAt = performance.now();
      leader.stop.abort(); // no renewals, no release: as SIGKILL leaves the lease
      await until(
        () => crashy.leader() !== undefined && crashy.leader() !== leader,
        "a new leader after the crash",
      );
      failovers.push(performance.now() - killedAt);
      crashy.add();
    }
    for (const c of crashy.list) c.stop.abort();
    await Promise.all(crashy.list.map((c) => c.done));

    const graceful = candidates(3, {
      releaseOnCancel: true,
      ref,
      lease: `election-${++leaseCount}`,
    });
    const handovers: number[] = [];
    for (let round = 0; round < 3; round++) {
      await until(() => graceful.leader() !== undefined, "a leader");
      const leader = graceful.leader() as Candidate;
      const stoppedAt = performance.now();
      leader.stop.abort();
      await until(
        () => graceful.leader() !== undefined && graceful.leader() !== leader,
        "a new leader after the hand-over",
      );
      handovers.push(performance.now() - stoppedAt);
      graceful.add();
    }
    for (const c of graceful.list) c.stop.abort();
    await Promise.all(graceful.list.map((c) => c.done));
    ref.stop();

    const ms = (values: number[]) => values.map((v) => `${Math.round(v)} ms`).join(", ");
    console.log(
      `leader election (lease ${TIMING.leaseDurationMs} ms, renew deadline ${TIMING.renewDeadlineMs} ms, retry ${TIMING.retryPeriodMs} ms): ` +
        `fail-over after a crash ${ms(failovers)} (target ≤ ${TIMING.leaseDurationMs + TIMING.retryPeriodMs} ms); ` +
        `graceful hand-over ${ms(handovers)} (target ≤ ${2 * TIMING.retryPeriodMs} ms); ${ref.samples} samples, ${ref.terms.length} terms`,
    );
    expect(ref.violations).toEqual([]);
    expect(ref.overlaps()).toEqual([]);
    // 1 + 3 crashes + 1 + 3 hand-overs; more if a busy machine made a leader miss its renew deadline.
    expect(ref.terms.length).toBeGreaterThanOrEqual(8);
  }, 60_000);

  it("writes the lease as client-go does and releases it on shutdown", async () => {
    const ref = referee();
    const name = `election-${++leaseCount}`;
    const group = candidates(1, { releaseOnCancel: true, ref, lease: name });
    await until(() => group.leader() !== undefined, "a leader");
    const leases = admin.api(Lease, { namespace: "default" });
    const held = await leases.get(name);
    expect(held.spec).toMatchObject({
      holderIdentity: "candidate-1",
      leaseDurationSeconds: 2,
      leaseTransitions: 0,
    });
    expect(held.spec?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await until(
      async () => (await leases.get(name)).spec?.renewTime !== held.spec?.renewTime,
      "a renewal",
    );
    group.list[0]?.stop.abort();
    await group.list[0]?.done;
    const released = await leases.get(name);
    expect(released.spec).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1 });
    // The next holder is a transition.
    const next = candidates(1, { releaseOnCancel: true, ref, lease: name });
    await until(() => next.leader() !== undefined, "the next leader");
    expect((await leases.get(name)).spec?.leaseTransitions).toBe(1);
    next.list[0]?.stop.abort();
    await next.list[0]?.done;
    ref.stop();
  });

  it("a leader that cannot renew stops leading at its renew deadline, before anyone else may lead", async () => {
    const ref = referee();
    const name = `election-${++leaseCount}`;
    const errors: unknown[] = [];
    const group = candidates(2, { releaseOnCancel: true, ref, lease: name, errors });
    await until(() => group.leader() !== undefined, "a leader");
    const leader = group.leader() as Candidate;
    // The leader's connection to the server fails from now on (the others' too: a partition).
    fixture.api.faults.set([
      { match: { path: "/apis/coordination.k8s.io/**" }, fault: { status: 503 } },
    ]);
    await until(() => !leader.elector.isLeader(), "the leader to give up");
    const term = ref.terms.find((t) => t.identity === leader.elector.identity);
    expect(term?.end).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(term?.reason).toBeInstanceOf(LeadershipLostError);
    expect(term?.reason).toMatchObject({
      reason: "RenewDeadlineExceeded",
      lease: `default/${name}`,
    });
    expect(isKinError(term?.reason)).toBe(true);
    fixture.api.faults.clear();
    await until(() => group.leader() !== undefined, "a leader once the server answers");
    for (const c of group.list) c.stop.abort();
    await Promise.all(group.list.map((c) => c.done));
    ref.stop();
    expect(ref.violations).toEqual([]);
    expect(ref.overlaps()).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
  });

  it("without permission to watch the lease, candidates poll as client-go's do", async () => {
    const ref = referee();
    const name = `election-${++leaseCount}`;
    fixture.api.faults.set([
      {
        name: "no-watch",
        match: { verb: "watch", path: "/apis/coordination.k8s.io/**" },
        fault: { status: 403 },
      },
    ]);
    const errors: unknown[] = [];
    const group = candidates(2, { releaseOnCancel: true, ref, lease: name, errors });
    await until(() => group.leader() !== undefined, "a leader");
    const leader = group.leader() as Candidate;
    leader.stop.abort();
    await until(
      () => group.leader() !== undefined && group.leader() !== leader,
      "the other to take over",
    );
    for (const c of group.list) c.stop.abort();
    await Promise.all(group.list.map((c) => c.done));
    ref.stop();
    expect(fixture.api.faults.counts()["no-watch"]).toBeGreaterThan(0);
    expect(errors.some((e) => e instanceof KubeApiError && e.isForbidden())).toBe(true);
    expect(ref.violations).toEqual([]);
    fixture.api.faults.clear();
  });

  it("never two leaders while the server is slow and answers 5xx and 429 at random", async () => {
    const ref = referee();
    const name = `election-${++leaseCount}`;
    fixture.api.faults.set({
      seed: 3,
      rules: [
        {
          match: { path: "/apis/coordination.k8s.io/**", probability: 0.3 },
          fault: { delayMs: 150 },
        },
        {
          match: { path: "/apis/coordination.k8s.io/**", probability: 0.15 },
          fault: { status: 500 },
        },
        {
          match: { path: "/apis/coordination.k8s.io/**", probability: 0.1 },
          fault: { status: 503 },
        },
        {
          match: { path: "/apis/coordination.k8s.io/**", probability: 0.1 },
          fault: { status: 429, retryAfterSeconds: 1 },
        },
      ],
    });
    const group = candidates(3, { releaseOnCancel: true, ref, lease: name, errors: [] });
    // Leadership changes hands several times, by crash-like and graceful stops, under faults.
    for (let round = 0; round < 6; round++) {
      await until(() => group.leader() !== undefined, "a leader under faults", 30_000);
      const leader = group.leader() as Candidate;
      leader.stop.abort();
      group.add();
    }
    for (const c of group.list) c.stop.abort();
    await Promise.all(group.list.map((c) => c.done));
    fixture.api.faults.clear();
    ref.stop();
    console.log(
      `leader election under faults: ${ref.terms.length} terms, ${ref.samples} samples, 0 overlaps expected`,
    );
    expect(ref.violations).toEqual([]);
    expect(ref.overlaps()).toEqual([]);
    expect(ref.terms.length).toBeGreaterThanOrEqual(6);
  }, 120_000);
});
