import { type Client, KubeApiError, type ResourceApi } from "@kin/client";
import { Lease, type LeaseSpec } from "@kin/resources";
import { InvalidStateError, LeadershipLostError } from "./errors.js";
import { microTime } from "./microTime.js";
import { sleep } from "./sleep.js";

/** Options of {@link createLeaderElector}; the durations default to client-go's. */
export interface LeaderElectionOptions {
  /** The `coordination.k8s.io/v1` Lease to hold: its name, and namespace (default: the client's). */
  lease: { name: string; namespace?: string };
  /** Who this candidate is, unique among candidates (e.g. the pod name). */
  identity: string;
  /**
   * How long others wait, from when they saw the lease last renewed, before taking it over. A whole
   * number of seconds (the Lease stores seconds). Default 15 000.
   */
  leaseDurationMs?: number;
  /**
   * The leader stops leading when it has not renewed the lease for this long (counted from the start
   * of its last successful renewal). Must be less than `leaseDurationMs`. Default 10 000.
   */
  renewDeadlineMs?: number;
  /** How often candidates try to acquire, and the leader to renew. Default 2 000. */
  retryPeriodMs?: number;
  /**
   * When `run`'s signal aborts while leading, give the lease up (holder `""`, duration 1 s, as
   * client-go's `ReleaseOnCancel`) so a successor need not wait it out. Default true.
   */
  releaseOnCancel?: boolean;
  /**
   * Called on becoming leader. `signal` aborts the moment leadership is lost (the renew deadline
   * passed, another holder was seen, or `run`'s signal aborted): stop leader-only work then. A returned
   * promise is awaited (up to `renewDeadlineMs`) before the lease is released.
   */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called once `run` ends after having led. */
  onStoppedLeading?(): void;
  /** Called when a new holder is seen (this candidate included). */
  onNewLeader?(identity: string): void;
  /**
   * While not leading, also watch the lease (needs `watch` on leases): a release or an expiry is
   * acted on at once instead of at the next retry. Polling goes on regardless. Default true.
   */
  watchLease?: boolean;
  /** Told about failed requests (they are retried). Default: a process warning. */
  onError?(error: unknown): void;
}

/** A candidate for leadership of one Lease, as client-go's `leaderelection.LeaderElector`. */
export interface LeaderElector {
  readonly identity: string;
  /** True from acquiring the lease until leadership is lost or given up. */
  isLeader(): boolean;
  /** The holder last seen on the lease (`""`: nobody), `undefined` before the first look. */
  leader(): string | undefined;
  /**
   * Tries to acquire the lease every `retryPeriodMs` until it does or `signal` aborts, then leads
   * (renewing every `retryPeriodMs`) until leadership is lost or `signal` aborts. Resolves after
   * `onStoppedLeading` and the release. Call it again to stand again.
   * @throws {Error} when already running.
   */
  run(signal: AbortSignal): Promise<void>;
}

interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string | undefined;
  renewTime: string | undefined;
  leaderTransitions: number;
}

const recordOf = (spec: LeaseSpec | undefined): LeaderElectionRecord => ({
  holderIdentity: spec?.holderIdentity ?? "",
  leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
  acquireTime: spec?.acquireTime,
  renewTime: spec?.renewTime,
  leaderTransitions: spec?.leaseTransitions ?? 0,
});

const specOf = (record: LeaderElectionRecord): LeaseSpec => ({
  holderIdentity: record.holderIdentity,
  leaseDurationSeconds: record.leaseDurationSeconds,
  acquireTime: record.acquireTime,
  renewTime: record.renewTime,
  leaseTransitions: record.leaderTransitions,
});

/** client-go's `JitterFactor` for the acquire loop. */
const JITTER = 1.2;

/**
 * A leader elector on a `coordination.k8s.io/v1` Lease with client-go's algorithm: read the lease;
 * take it if it is free or nobody renewed it for its duration as measured on this candidate's own
 * monotonic clock (from when the current record was first seen — never the lease's `renewTime`, so
 * clocks need not agree); write with the read resourceVersion, so of two candidates only one wins
 * (the other gets 409). A leader renews every retry period and stops leading when it could not for
 * `renewDeadlineMs`, before anyone else may take over (`leaseDurationMs` > `renewDeadlineMs`).
 */
export function createLeaderElector(client: Client, options: LeaderElectionOptions): LeaderElector {
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  const releaseOnCancel = options.releaseOnCancel ?? true;
  const watchLease = options.watchLease ?? true;
  const { identity } = options;
  if (!identity) throw new TypeError("leader election: identity must not be empty");
  if (!(retryPeriodMs > 0)) throw new RangeError("leader election: retryPeriodMs must be > 0");
  if (!(renewDeadlineMs > JITTER * retryPeriodMs))
    throw new RangeError(
      `leader election: renewDeadlineMs (${renewDeadlineMs}) must be greater than retryPeriodMs × ${JITTER} (${JITTER * retryPeriodMs})`,
    );
  if (!(leaseDurationMs > renewDeadlineMs))
    throw new RangeError(
      `leader election: leaseDurationMs (${leaseDurationMs}) must be greater than renewDeadlineMs (${renewDeadlineMs})`,
    );
  if (!Number.isInteger(leaseDurationMs / 1000))
    throw new RangeError(
      `leader election: leaseDurationMs must be a whole number of seconds (the Lease stores seconds), got ${leaseDurationMs}`,
    );
  const leases = client.api(
    Lease,
    options.lease.namespace !== undefined ? { namespace: options.lease.namespace } : undefined,
  ) as ResourceApi<Lease>;
  const leaseName = options.lease.name;
  const leaseId = `${leases.namespace}/${leaseName}`;

  let lease: Lease | undefined;
  let observed: LeaderElectionRecord | undefined;
  let observedRaw = "";
  let observedTime = 0;
  let reportedLeader = "";
  /** While leading: leadership ends when this aborts, or at `leadingUntil` at the latest. */
  let leadership: AbortController | undefined;
  let leadingUntil = 0;
  let running = false;

  const now = () => performance.now();
  const report = (error: unknown) => {
    if (options.onError) {
      options.onError(error);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.emitWarning(`leader election ${options.lease.name} (${identity}): ${message}`, {
      code: "KIN_RUNTIME_LEADER_ELECTION",
    });
  };
  const observe = (record: LeaderElectionRecord) => {
    observed = record;
    observedTime = now();
  };
  const recordSaysLeader = () => observed?.holderIdentity === identity;
  const reportTransition = () => {
    const holder = observed?.holderIdentity ?? "";
    if (holder === reportedLeader) return;
    reportedLeader = holder;
    if (holder === "" || !options.onNewLeader) return;
    try {
      options.onNewLeader(holder);
    } catch (error) {
      report(error);
    }
  };

  /** client-go's `tryAcquireOrRenew`: true when this candidate holds the lease afterwards. */
  const tryAcquireOrRenew = async (signal: AbortSignal): Promise<boolean> => {
    const time = microTime();
    const record: LeaderElectionRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: leaseDurationMs / 1000,
      acquireTime: time,
      renewTime: time,
      leaderTransitions: 0,
    };
    let current: Lease;
    try {
      current = await leases.get(leaseName, { signal, timeoutMs: renewDeadlineMs });
    } catch (error) {
      if (!(error instanceof KubeApiError && error.isNotFound())) {
        if (!signal.aborted) report(error);
        return false;
      }
      try {
        lease = await leases.create(
          { metadata: { name: leaseName }, spec: specOf(record) },
          { signal, timeoutMs: renewDeadlineMs },
        );
      } catch (createError) {
        if (!signal.aborted) report(createError);
        return false;
      }
      observe(record);
      return true;
    }
    lease = current;
    const old = recordOf(current.spec);
    const raw = JSON.stringify(old);
    if (raw !== observedRaw) {
      observedRaw = raw;
      observe(old);
    }
    if (
      old.holderIdentity !== "" &&
      observedTime + old.leaseDurationSeconds * 1000 > now() &&
      !recordSaysLeader()
    )
      return false; // held by another, not expired
    if (recordSaysLeader()) {
      record.acquireTime = old.acquireTime;
      record.leaderTransitions = old.leaderTransitions;
    } else record.leaderTransitions = old.leaderTransitions + 1;
    try {
      lease = await leases.replace(
        { ...current, spec: specOf(record) },
        { signal, timeoutMs: renewDeadlineMs },
      );
    } catch (error) {
      if (!signal.aborted && !(error instanceof KubeApiError && error.isConflict())) report(error);
      return false;
    }
    observe(record);
    return true;
  };

  /** client-go's `release`: holder "" and a 1 s duration, written with the lease's resourceVersion. */
  const release = async () => {
    if (!recordSaysLeader() || !lease) return;
    const time = microTime();
    const record: LeaderElectionRecord = {
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: time,
      renewTime: time,
      leaderTransitions: observed?.leaderTransitions ?? 0,
    };
    try {
      lease = await leases.replace(
        { ...lease, spec: specOf(record) },
        { timeoutMs: renewDeadlineMs },
      );
      observe(record);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.isConflict())) report(error);
    }
  };

  /**
   * While following: a watch of the lease that records each new record the moment it is written
   * (so expiry is measured from then, not from the next poll) and wakes the acquire loop when the
   * holder releases the lease or it is deleted. Without permission to watch, polling alone goes on.
   */
  const followLease = async (signal: AbortSignal, wake: () => void) => {
    while (!signal.aborted) {
      try {
        for await (const event of leases.watch({
          fieldSelector: `metadata.name=${leaseName}`,
          timeoutSeconds: 300,
          maxResumes: 0, // a dropped connection is retried below, after a retry period
          signal,
        })) {
          if (event.type === "DELETED") {
            wake();
            continue;
          }
          const record = recordOf(event.object.spec);
          const raw = JSON.stringify(record);
          if (raw !== observedRaw) {
            observedRaw = raw;
            observe(record);
            reportTransition();
          }
          if (record.holderIdentity === "") wake();
        }
      } catch (error) {
        if (signal.aborted) return;
        // A 410 or a dropped connection: just watch again (polling covers the gap). Others are news.
        if (error instanceof KubeApiError && !error.isGone()) report(error);
        // Not allowed to watch: polling alone it is. Anything else: watch again after a pause.
        if (error instanceof KubeApiError && (error.isForbidden() || error.isNotFound())) return;
      }
      await sleep(retryPeriodMs, signal);
    }
  };

  /** Tries until the lease is ours; returns when the winning attempt started, or `undefined` on abort. */
  const acquire = async (signal: AbortSignal): Promise<number | undefined> => {
    const following = new AbortController();
    // `waking` ends a pause early: on a release seen by the lease watch, or when `signal` aborts.
    let waking = new AbortController();
    const stopFollowing = () => {
      following.abort();
      waking.abort();
    };
    signal.addEventListener("abort", stopFollowing, { once: true });
    const watching = watchLease
      ? followLease(following.signal, () => waking.abort())
      : Promise.resolve();
    try {
      while (!signal.aborted) {
        const start = now();
        const acquired = await tryAcquireOrRenew(signal);
        reportTransition();
        if (acquired && !signal.aborted) return start;
        // client-go waits a jittered retry period; kin also wakes when the lease expires (measured
        // on this clock) or is released, so a successor does not wait longer than it must.
        let delay = retryPeriodMs * (1 + Math.random() * JITTER);
        if (observed && observed.holderIdentity !== "" && observed.holderIdentity !== identity)
          delay = Math.min(delay, observedTime + observed.leaseDurationSeconds * 1000 - now() + 1);
        if (waking.signal.aborted) waking = new AbortController();
        await sleep(delay, waking.signal);
      }
      return undefined;
    } finally {
      signal.removeEventListener("abort", stopFollowing);
      following.abort();
      await watching;
    }
  };

  /** Leads until the deadline passes without a renewal, another holder shows up, or `signal` aborts. */
  const lead = async (signal: AbortSignal, renewedAt: number) => {
    const current = new AbortController();
    leadership = current;
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const arm = (from: number) => {
      clearTimeout(deadline);
      leadingUntil = from + renewDeadlineMs;
      deadline = setTimeout(
        () => current.abort(new LeadershipLostError(leaseId, "RenewDeadlineExceeded")),
        from + renewDeadlineMs - now(),
      );
    };
    const onAbort = () => current.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    arm(renewedAt);
    let work: Promise<void> | undefined;
    try {
      const started = options.onStartedLeading(current.signal);
      if (started && typeof (started as Promise<void>).then === "function")
        work = (started as Promise<void>).then(
          () => {},
          (error: unknown) => report(error),
        );
    } catch (error) {
      report(error);
    }
    while (!current.signal.aborted) {
      if (!(await sleep(retryPeriodMs, current.signal))) break;
      const attemptStart = now();
      const renewed = await tryAcquireOrRenew(current.signal);
      reportTransition();
      if (current.signal.aborted) break;
      if (renewed) arm(attemptStart);
      else if (observed && observed.holderIdentity !== identity)
        current.abort(new LeadershipLostError(leaseId, "HeldByAnother", observed.holderIdentity));
    }
    leadership = undefined;
    clearTimeout(deadline);
    signal.removeEventListener("abort", onAbort);
    if (work) {
      const waited = new AbortController();
      await Promise.race([work, sleep(renewDeadlineMs, waited.signal)]);
      waited.abort();
    }
    if (releaseOnCancel && signal.aborted) await release();
  };

  return {
    identity,
    // The deadline is checked here too: a timer can fire late on a busy event loop, the clock cannot.
    isLeader: () => leadership !== undefined && !leadership.signal.aborted && now() < leadingUntil,
    leader: () => observed?.holderIdentity,
    async run(signal) {
      if (running)
        throw new InvalidStateError(`leader election ${leaseId} (${identity}) is already running`);
      running = true;
      try {
        const acquiredAt = await acquire(signal);
        if (acquiredAt === undefined) return;
        // The first term counts from the start of the attempt that won, as every renewal does.
        await lead(signal, acquiredAt);
        try {
          options.onStoppedLeading?.();
        } catch (error) {
          report(error);
        }
      } finally {
        running = false;
      }
    },
  };
}
