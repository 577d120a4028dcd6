import type { Logger } from "./log.js";
import type { Cluster } from "./modes/cluster.js";
import { backoffMs, sleep } from "./sleep.js";

/** What `/readyz` answers: ready once the config maps are watched, not while the watch is failing or stopping. */
export interface Readiness {
  ready: boolean;
  reason: string;
}

/** An answer of the server that asking again will not change (401, 403, 404, 422…), as opposed to no answer or a 5xx. */
const isRefusal = (error: unknown): boolean => {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" && code >= 400 && code < 500 && code !== 429;
};

/** The startup report: the docs' `curl …/api`, who the app is, its namespace, its pods. */
export async function report(cluster: Cluster, log: Logger, signal?: AbortSignal): Promise<void> {
  log.info({ server: cluster.server, versions: await cluster.apiVersions(signal) }, "API versions");
  try {
    const me = await cluster.whoAmI(signal);
    log.info({ username: me.username, groups: me.groups }, "identity");
  } catch (error) {
    // SelfSubjectReview is GA in 1.28 (beta in 1.27): an older server does not serve it.
    if ((error as { code?: unknown }).code !== 404) throw error;
    log.warn(
      { reason: (error as Error).message },
      "identity unknown: this server has no SelfSubjectReview (Kubernetes < 1.28)",
    );
  }
  const pods = await cluster.pods(signal);
  log.info({ namespace: cluster.namespace, count: pods.length }, "pods");
  for (const pod of pods) log.info({ name: pod.name, phase: pod.phase }, "pod");
}

/**
 * {@link report}, again and again while the server cannot be reached or answers 5xx/429 (a kubectl proxy
 * sidecar starting after the app, an API server restarting): `/readyz` says why meanwhile. A refusal
 * (401, 403, …) is thrown: it needs a person. Returns false if `signal` aborted first.
 */
export async function reportWhenReachable(
  cluster: Cluster,
  log: Logger,
  readiness: Readiness,
  signal: AbortSignal,
): Promise<boolean> {
  for (let failures = 1; !signal.aborted; failures++) {
    try {
      await report(cluster, log, signal);
      return true;
    } catch (error) {
      if (signal.aborted) break;
      if (isRefusal(error)) throw error;
      const delayMs = backoffMs(failures);
      readiness.reason = `API server not reachable: ${(error as Error).message}`;
      log.warn({ err: error, retryInMs: delayMs }, "API server not reachable yet");
      await sleep(delayMs, signal);
    }
  }
  return false;
}

const PAST = { ADDED: "added", MODIFIED: "modified", DELETED: "deleted" } as const;

/**
 * Logs every change to the config maps of the namespace until `signal` aborts: a list, then a watch
 * from its resourceVersion. A 410 (history gone) lists again; other failures are retried with backoff.
 */
export async function watchConfigMaps(
  cluster: Cluster,
  log: Logger,
  readiness: Readiness,
  signal: AbortSignal,
): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    try {
      const { resourceVersion, names } = await cluster.configMaps(signal);
      log.info(
        { namespace: cluster.namespace, count: names.length, resourceVersion },
        "watching config maps",
      );
      readiness.ready = true;
      readiness.reason = "watching config maps";
      failures = 0;
      for await (const event of cluster.watchConfigMaps(resourceVersion, signal)) {
        log.info(
          { name: event.name, keys: event.keys, resourceVersion: event.resourceVersion },
          `config map ${PAST[event.type]}`,
        );
      }
    } catch (error) {
      if (signal.aborted) break;
      if ((error as { code?: number }).code === 410) {
        log.warn({ reason: (error as Error).message }, "watch expired (410 Gone): listing again");
        continue;
      }
      failures++;
      const delayMs = backoffMs(failures);
      readiness.ready = false;
      readiness.reason = `watching config maps failed: ${(error as Error).message}`;
      log.error({ err: error, retryInMs: delayMs }, "watching config maps failed");
      await sleep(delayMs, signal);
    }
  }
}
