import {
  type Client,
  ConfigMap,
  createClient,
  KubeApiError,
  loadInCluster,
  mergePatch,
} from "@kin/client";
import { createPodEnvironment, type PodEnvironment } from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createInformer,
  DeletedFinalStateUnknown,
  finalStateOf,
  type Informer,
} from "../src/index.js";
import { type Fixture, startFixture, until } from "./fixture.js";

// The proof of the informer: thousands of changes while the connection is disturbed in every way an
// API server or a network can, and after each disturbance the informer's store — and the state its
// handlers were told about, event by event — equals a fresh list. Every change is accounted for:
// delivered once, or (only across a relist, when the server no longer has the history) folded into
// the relist's synthetic events. Lost and duplicated events are counted; both must be 0.

const NAMES = 40;
const WRITERS = 4;
const CHANGES_PER_PHASE = Number(process.env.KIN_DISTURBANCE_CHANGES ?? 500);
/** How long the handlers may take to catch up after a phase before the run fails. */
const SETTLE_MS = 120_000;

/** A small deterministic generator (mulberry32), so a failing run can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Written {
  key: string;
  /** resourceVersions written (create, then updates), with the phase each was written in. */
  versions: { rv: string; phase: number }[];
  deletedIn: number | undefined;
}

interface Delivered {
  versions: string[];
  deletes: number;
}

let fixture: Fixture;
let writer: Client;
let reader: Client;
let pod: PodEnvironment;
const namespace = "churn";

beforeAll(async () => {
  fixture = await startFixture({ bookmarkIntervalMs: 100 });
  writer = await fixture.client({ rateLimit: false });
  await writer.raw.post("/api/v1/namespaces", { metadata: { name: namespace } });
  // The reader authenticates as a pod does: a service-account token file that the kubelet rotates.
  pod = await createPodEnvironment({
    host: fixture.listener.host,
    port: fixture.listener.port,
    ca: fixture.listener.ca,
    serviceAccount: { apiServer: fixture.api },
    namespace,
  });
  reader = await createClient({
    credentials: await loadInCluster({ dir: pod.dir, env: pod.env }),
    retry: { backoffBaseMs: 50, backoffMaxMs: 500 },
  });
});
afterAll(async () => {
  await reader?.close();
  await pod?.cleanup();
  await fixture?.close();
});

describe.each([
  { mode: "watch-list", watchList: true },
  { mode: "list and watch", watchList: false },
])("disturbance run ($mode)", ({ mode, watchList }) => {
  it(
    `keeps the store equal to a fresh list through ${CHANGES_PER_PHASE * 6} changes and six disturbances`,
    async () => {
      const maps = writer.api(ConfigMap, { namespace });
      // A clean namespace (deleteCollection: nothing else writes here between the modes).
      await maps.deleteCollection();

      const written = new Map<string, Written>(); // by uid
      const delivered = new Map<string, Delivered>(); // by uid
      const view = new Map<string, { uid: string; rv: string }>(); // by key, from handler calls only
      const problems: string[] = [];
      let duplicates = 0;
      const duplicate = (what: string) => {
        duplicates++;
        if (problems.length < 20) problems.push(`duplicate: ${what}`);
      };
      const deliveredOf = (uid: string) => {
        let entry = delivered.get(uid);
        if (!entry) {
          entry = { versions: [], deletes: 0 };
          delivered.set(uid, entry);
        }
        return entry;
      };
      const errors: unknown[] = [];
      const informer: Informer<ConfigMap> = createInformer(reader, ConfigMap, {
        namespace,
        watchList,
        // Watches end every 1–2 s, so watch timeouts happen throughout, and short backoffs.
        minWatchTimeoutSeconds: 1,
        backoff: { initialMs: 20, maxMs: 500 },
        onError: (error) => errors.push(error),
      });
      informer.addHandler({
        onAdd(object) {
          const { uid = "", resourceVersion = "" } = object.metadata ?? {};
          const key = `${namespace}/${object.metadata?.name}`;
          const entry = deliveredOf(uid);
          if (entry.versions.includes(resourceVersion))
            duplicate(`add ${key} rv ${resourceVersion} again`);
          if (view.has(key)) duplicate(`add ${key}, which the handler already has`);
          entry.versions.push(resourceVersion);
          view.set(key, { uid, rv: resourceVersion });
        },
        onUpdate(old, object) {
          const { uid = "", resourceVersion = "" } = object.metadata ?? {};
          const key = `${namespace}/${object.metadata?.name}`;
          const entry = deliveredOf(uid);
          if (
            entry.versions.includes(resourceVersion) ||
            old.metadata?.resourceVersion === resourceVersion
          )
            duplicate(`update ${key} rv ${resourceVersion} again`);
          if (view.get(key)?.uid !== uid)
            problems.push(`update of ${key} the handler never saw added`);
          entry.versions.push(resourceVersion);
          view.set(key, { uid, rv: resourceVersion });
        },
        onDelete(deleted) {
          const object = finalStateOf(deleted);
          const uid = object.metadata?.uid ?? "";
          const key =
            deleted instanceof DeletedFinalStateUnknown
              ? deleted.key
              : `${namespace}/${object.metadata?.name}`;
          const entry = deliveredOf(uid);
          entry.deletes++;
          if (entry.deletes > 1 || view.get(key)?.uid !== uid)
            duplicate(`delete ${key} (uid ${uid})`);
          view.delete(key);
        },
      });
      const stop = new AbortController();
      const running = informer.run(stop.signal);
      await informer.waitForSync();

      // Writers: each owns NAMES / WRITERS names, so the changes of one name are in order.
      let phase = 0;
      const exists = new Map<string, string>(); // name → uid
      const write = async (count: number, seed: number) => {
        const perWriter = Math.ceil(count / WRITERS);
        await Promise.all(
          Array.from({ length: WRITERS }, async (_, w) => {
            const next = random(seed * 31 + w);
            for (let i = 0; i < perWriter; i++) {
              const name = `m${w * (NAMES / WRITERS) + Math.floor(next() * (NAMES / WRITERS))}`;
              const uid = exists.get(name);
              if (uid === undefined) {
                const created = await maps.create({ metadata: { name }, data: { n: "0" } });
                const id = created.metadata?.uid as string;
                exists.set(name, id);
                written.set(id, {
                  key: `${namespace}/${name}`,
                  versions: [{ rv: created.metadata?.resourceVersion as string, phase }],
                  deletedIn: undefined,
                });
              } else if (next() < 0.75) {
                const updated = await maps.patch(
                  name,
                  mergePatch<ConfigMap>({ data: { n: String(i) } }),
                );
                written
                  .get(uid)
                  ?.versions.push({ rv: updated.metadata?.resourceVersion as string, phase });
              } else {
                await maps.delete(name);
                exists.delete(name);
                (written.get(uid) as Written).deletedIn = phase;
              }
            }
          }),
        );
      };

      /** Waits until what the handlers were told equals a fresh list; then the store must too. */
      const settle = async (what: string) => {
        let fresh = await maps.list();
        const same = () =>
          fresh.items.length === view.size &&
          fresh.items.every((item) => {
            const seen = view.get(`${namespace}/${item.metadata?.name}`);
            return seen?.uid === item.metadata?.uid && seen?.rv === item.metadata?.resourceVersion;
          });
        await until(
          async () => {
            if (same()) return true;
            await new Promise((resolve) => setTimeout(resolve, 100));
            fresh = await maps.list();
            return same();
          },
          `the handlers' view to equal a fresh list after ${what}`,
          SETTLE_MS,
        );
        const store = new Map(
          informer.store.list().map((o) => [`${namespace}/${o.metadata?.name}`, o]),
        );
        expect(store.size, `store size after ${what}`).toBe(fresh.items.length);
        for (const item of fresh.items) {
          const cached = store.get(`${namespace}/${item.metadata?.name}`);
          expect(cached?.metadata?.resourceVersion, `store after ${what}`).toBe(
            item.metadata?.resourceVersion,
          );
          expect(cached?.data).toEqual(item.data);
        }
      };

      const relistsIn: boolean[] = [];
      const disturbances: [string, () => Promise<void>][] = [
        ["watch timeouts only", async () => write(CHANGES_PER_PHASE, 1)],
        [
          "watches cut (clean end) every few events",
          async () => {
            fixture.api.faults.set([
              { match: { verb: "watch" }, fault: { cutWatchAfterEvents: 7 } },
            ]);
            await write(CHANGES_PER_PHASE, 2);
            fixture.api.faults.clear();
          },
        ],
        [
          "connections reset mid-watch",
          async () => {
            fixture.api.faults.set({
              seed: 7,
              rules: [
                {
                  match: { verb: "watch", probability: 0.7 },
                  fault: { cutWatchAfterEvents: 5, reset: true },
                },
                { match: { verb: "watch", probability: 0.3 }, fault: { resetAfterBytes: 0 } },
              ],
            });
            await write(CHANGES_PER_PHASE, 3);
            fixture.api.faults.clear();
          },
        ],
        [
          "410 after compaction",
          async () => {
            // Hold new watches off while the open one times out, change things, forget the history:
            // the resume point is gone and only a relist can catch up.
            fixture.api.faults.set([
              { name: "hold", match: { verb: "watch" }, fault: { status: 429 } },
            ]);
            await until(
              () => (fixture.api.faults.counts().hold ?? 0) > 0,
              "the watch to be held off",
            );
            await write(CHANGES_PER_PHASE, 4);
            fixture.api.compact();
            fixture.api.faults.clear();
          },
        ],
        [
          "token rotation (old token revoked)",
          async () => {
            const half = Math.floor(CHANGES_PER_PHASE / 2);
            await write(half, 5);
            await pod.rotateToken();
            await write(CHANGES_PER_PHASE - half, 6);
          },
        ],
        [
          "API server restart",
          async () => {
            const half = Math.floor(CHANGES_PER_PHASE / 2);
            await write(half, 7);
            await fixture.restart(300);
            await write(CHANGES_PER_PHASE - half, 8);
          },
        ],
      ];
      for (const [name, disturb] of disturbances) {
        const relistsBefore = informer.stats.relists;
        await disturb();
        await settle(name);
        relistsIn[phase] = informer.stats.relists > relistsBefore;
        phase++;
      }

      // Account for every change written.
      let lost = 0;
      let compressed = 0;
      let changes = 0;
      for (const [uid, w] of written) {
        const d = delivered.get(uid) ?? { versions: [], deletes: 0 };
        for (const { rv, phase: p } of w.versions) {
          changes++;
          if (d.versions.includes(rv)) continue;
          if (relistsIn[p]) compressed++;
          else {
            lost++;
            if (problems.length < 20) problems.push(`lost: ${w.key} rv ${rv} (phase ${p})`);
          }
        }
        if (w.deletedIn !== undefined) {
          changes++;
          if (d.deletes === 0) {
            // A create and delete both inside a relist's gap is never seen at all: folded away.
            if (relistsIn[w.deletedIn] && d.versions.length === 0) compressed++;
            else {
              lost++;
              if (problems.length < 20) problems.push(`lost: delete of ${w.key}`);
            }
          }
        }
      }
      const delivered_ = [...delivered.values()].reduce(
        (n, d) => n + d.versions.length + d.deletes,
        0,
      );
      console.log(
        `disturbance run (${mode}): ${changes} changes, ${delivered_} events delivered, ${compressed} folded into relists, ` +
          `${lost} lost, ${duplicates} duplicated; informer ${JSON.stringify(informer.stats)}; ` +
          `${errors.length} recovered failures`,
      );
      expect(problems).toEqual([]);
      expect(lost).toBe(0);
      expect(duplicates).toBe(0);
      expect(changes).toBeGreaterThanOrEqual(CHANGES_PER_PHASE * 6);
      // Only the compaction phase needed a relist; everything else resumed from a resourceVersion.
      expect(relistsIn).toEqual([false, false, false, true, false, false]);
      expect(errors.some((e) => e instanceof KubeApiError && e.isTooManyRequests())).toBe(true);

      stop.abort();
      await running;
      await until(() => fixture.api.watchCount === 0, "the server to see the watch closed");
    },
    // Generous: on a loaded shared machine a mode has taken three minutes (17 s when quiet). The
    // test waits for conditions, never for a time; this only bounds a hang.
    Math.max(600_000, CHANGES_PER_PHASE * 6 * 200),
  );
});
