import { getEventListeners } from "node:events";
import {
  type Client,
  ConfigMap,
  isKinError,
  KubeApiError,
  type KubeObject,
  Pod,
} from "@kin/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  byLabel,
  createInformer,
  DeletedFinalStateUnknown,
  type EventHandler,
  type Informer,
  InvalidStateError,
  stripManagedFields,
} from "../src/index.js";
import { FAST, type Fixture, startFixture, until } from "./fixture.js";

type Note = [string, string, string?];

/** A handler that records what it was told: [type, key, resourceVersion]. */
function recorder<T extends ConfigMap>() {
  const notes: Note[] = [];
  const handler: EventHandler<T> = {
    onAdd: (object, initial) =>
      notes.push([
        initial ? "add-initial" : "add",
        object.metadata?.name ?? "",
        object.metadata?.resourceVersion,
      ]),
    onUpdate: (_, object) =>
      notes.push(["update", object.metadata?.name ?? "", object.metadata?.resourceVersion]),
    onDelete: (object) =>
      notes.push(
        object instanceof DeletedFinalStateUnknown
          ? ["delete-unknown", object.object.metadata?.name ?? ""]
          : ["delete", object.metadata?.name ?? ""],
      ),
  };
  return { notes, handler };
}

let fixture: Fixture;
let writer: Client;
let reader: Client;
let stop: AbortController;
const runs: Promise<void>[] = [];

beforeAll(async () => {
  fixture = await startFixture({ bookmarkIntervalMs: 50 });
  writer = await fixture.client({ rateLimit: false });
  reader = await fixture.client();
});
afterEach(async () => {
  stop?.abort();
  await Promise.all(runs.splice(0));
  fixture.api.faults.clear();
});
afterAll(() => fixture.close());

const run = <T extends KubeObject>(informer: Informer<T>) => {
  stop = new AbortController();
  runs.push(informer.run(stop.signal));
  return informer;
};

let namespaceCount = 0;
async function freshNamespace(): Promise<string> {
  const name = `inf-${++namespaceCount}`;
  await writer.raw.post("/api/v1/namespaces", { metadata: { name } });
  return name;
}

describe("informer over HTTPS", () => {
  it("lists, then watches: adds, updates and deletes reach handlers after the store", async () => {
    const ns = await freshNamespace();
    const maps = writer.api(ConfigMap, { namespace: ns });
    await maps.create({ metadata: { name: "a" }, data: { v: "1" } });
    const informer = createInformer(reader, ConfigMap, { namespace: ns, ...FAST });
    const { notes, handler } = recorder();
    const seenInStore: boolean[] = [];
    informer.addHandler(handler);
    informer.addHandler({
      onAdd: (o) => seenInStore.push(informer.store.get(`${ns}/${o.metadata?.name}`) === o),
    });
    run(informer);
    expect(await informer.waitForSync()).toBe(true);
    expect(informer.store.keys()).toEqual([`${ns}/a`]);
    const b = await maps.create({ metadata: { name: "b" } });
    await maps.patch("a", {
      contentType: "application/merge-patch+json",
      body: '{"data":{"v":"2"}}',
    });
    await maps.delete("b");
    await until(() => notes.length === 4, "four notifications");
    expect(notes.map(([type, name]) => [type, name])).toEqual([
      ["add-initial", "a"],
      ["add", "b"],
      ["update", "a"],
      ["delete", "b"],
    ]);
    expect(notes[1]?.[2]).toBe(b.metadata?.resourceVersion);
    expect(seenInStore).toEqual([true, true]);
    // Objects are frozen and carry their kind even though list items do not.
    const cached = informer.store.get(`${ns}/a`) as ConfigMap;
    expect(cached.kind).toBe("ConfigMap");
    expect(() => {
      (cached.data as Record<string, string>).v = "changed";
    }).toThrow(TypeError);
  });

  it("uses watch-list when the server supports it, and lists when it answers 422", async () => {
    const ns = await freshNamespace();
    await writer.api(ConfigMap, { namespace: ns }).create({ metadata: { name: "x" } });
    const streaming = run(
      createInformer(reader, ConfigMap, { namespace: ns, watchList: true, ...FAST }),
    );
    await streaming.waitForSync();
    expect(streaming.stats).toMatchObject({ watchLists: 1, lists: 0, watchListSupported: true });
    expect(streaming.store.keys()).toEqual([`${ns}/x`]);
    stop.abort();
    await Promise.all(runs.splice(0));

    // kube-apiserver 1.28 without the WatchList gate refuses sendInitialEvents with 422 Invalid.
    fixture.api.faults.set([{ match: { verb: "watch", times: 1 }, fault: { status: 422 } }]);
    const listing = run(
      createInformer(reader, ConfigMap, { namespace: ns, watchList: true, ...FAST }),
    );
    await listing.waitForSync();
    expect(listing.stats).toMatchObject({ watchLists: 1, lists: 1, watchListSupported: false });
    expect(listing.store.keys()).toEqual([`${ns}/x`]);
  });

  it("resumes from bookmarks: after a cut watch nothing is listed again and nothing is lost", async () => {
    const ns = await freshNamespace();
    const maps = writer.api(ConfigMap, { namespace: ns });
    const informer = run(createInformer(reader, ConfigMap, { namespace: ns, ...FAST }));
    const { notes, handler } = recorder();
    informer.addHandler(handler);
    await informer.waitForSync();
    // Changes elsewhere move the server's version on; bookmarks carry it to the informer.
    const other = await freshNamespace();
    await writer.api(ConfigMap, { namespace: other }).create({ metadata: { name: "noise" } });
    await until(
      () => Number(informer.lastSyncResourceVersion) >= Number(fixture.api.resourceVersion),
      "a bookmark at the server's version",
    );
    fixture.api.faults.set([
      { match: { verb: "watch", times: 3 }, fault: { cutWatchAfterEvents: 1 } },
    ]);
    for (let i = 0; i < 5; i++) await maps.create({ metadata: { name: `m${i}` } });
    await until(() => informer.store.size === 5, "five objects");
    expect(informer.stats.lists).toBe(1);
    expect(informer.stats.relists).toBe(0);
    expect(notes.filter(([type]) => type === "add").map(([, name]) => name)).toEqual([
      "m0",
      "m1",
      "m2",
      "m3",
      "m4",
    ]);
  });

  it("relists on 410 and tells handlers the difference, with tombstones for missed deletes", async () => {
    const ns = await freshNamespace();
    const maps = writer.api(ConfigMap, { namespace: ns });
    for (const name of ["keep", "change", "gone", "recreated"])
      await maps.create({ metadata: { name } });
    const informer = run(
      createInformer(reader, ConfigMap, {
        namespace: ns,
        minWatchTimeoutSeconds: 1,
        onError: () => {},
        ...FAST,
      }),
    );
    const { notes, handler } = recorder();
    informer.addHandler(handler);
    await informer.waitForSync();
    notes.length = 0;
    // Hold new watches off (429: the informer backs off and watches again, no list) until the open
    // one times out, change things meanwhile, then forget history: the resume point is gone (410).
    fixture.api.faults.set([{ name: "hold", match: { verb: "watch" }, fault: { status: 429 } }]);
    await until(() => (fixture.api.faults.counts().hold ?? 0) > 0, "the watch to be held off");
    await maps.patch("change", {
      contentType: "application/merge-patch+json",
      body: '{"data":{"v":"2"}}',
    });
    await maps.delete("gone");
    await maps.delete("recreated");
    await maps.create({ metadata: { name: "recreated" } });
    await maps.create({ metadata: { name: "new" } });
    fixture.api.compact();
    fixture.api.faults.clear();
    await until(() => informer.stats.relists === 1, "a relist");
    expect(notes.map(([type, name]) => `${type} ${name}`).sort()).toEqual(
      [
        "update change",
        "delete-unknown gone",
        "delete-unknown recreated",
        "add recreated",
        "add new",
      ].sort(),
    );
    const fresh = await maps.list();
    expect(informer.store.keys().sort()).toEqual(
      fresh.items.map((m) => `${ns}/${m.metadata?.name}`).sort(),
    );
  });

  it("watches with selectors: objects leaving the selector are deleted from the cache", async () => {
    const ns = await freshNamespace();
    const maps = writer.api(ConfigMap, { namespace: ns });
    await maps.create({ metadata: { name: "in", labels: { app: "web" } } });
    await maps.create({ metadata: { name: "out", labels: { app: "db" } } });
    const informer = run(
      createInformer(reader, ConfigMap, {
        namespace: ns,
        labelSelector: "app=web",
        indexers: { app: byLabel("app") },
        ...FAST,
      }),
    );
    await informer.waitForSync();
    expect(informer.store.keys()).toEqual([`${ns}/in`]);
    await maps.patch("in", {
      contentType: "application/merge-patch+json",
      body: '{"metadata":{"labels":{"app":"db"}}}',
    });
    await until(() => informer.store.size === 0, "the object to leave");
    expect(informer.store.indexValues("app")).toEqual([]);
  });

  it("transforms before caching, and a late handler gets the cache as initial adds", async () => {
    const ns = await freshNamespace();
    await writer
      .api(ConfigMap, { namespace: ns })
      .create({ metadata: { name: "m" } }, { fieldManager: "tour" });
    const informer = run(
      createInformer(reader, ConfigMap, { namespace: ns, transform: stripManagedFields, ...FAST }),
    );
    await informer.waitForSync();
    expect(informer.store.get(`${ns}/m`)?.metadata?.managedFields).toBeUndefined();
    const { notes, handler } = recorder();
    const registration = informer.addHandler(handler);
    expect(notes).toEqual([["add-initial", "m", expect.any(String)]]);
    expect(registration.hasSynced()).toBe(true);
  });

  it("resyncs: every cached object as onUpdate(object, object) to handlers that asked, at their period", async () => {
    const ns = await freshNamespace();
    await writer.api(ConfigMap, { namespace: ns }).create({ metadata: { name: "r" } });
    const informer = run(
      createInformer(reader, ConfigMap, { namespace: ns, resyncMs: 1_000, ...FAST }),
    );
    const resyncs: boolean[] = [];
    const quiet: string[] = [];
    informer.addHandler({ onUpdate: (old, object) => resyncs.push(old === object) });
    informer.addHandler({ onUpdate: () => quiet.push("update") }, { resyncMs: 0 });
    await informer.waitForSync();
    await until(() => resyncs.length >= 2, "two resyncs");
    expect(resyncs.every(Boolean)).toBe(true);
    expect(quiet).toEqual([]);
  });

  it("survives many dropped connections without piling listeners onto its signal", async () => {
    const ns = await freshNamespace();
    const maps = writer.api(ConfigMap, { namespace: ns });
    const informer = run(
      createInformer(reader, ConfigMap, { namespace: ns, onError: () => {}, ...FAST }),
    );
    await informer.waitForSync();
    fixture.api.faults.set([
      {
        name: "reset",
        match: { verb: "watch", times: 20 },
        fault: { cutWatchAfterEvents: 1, reset: true },
      },
    ]);
    await until(() => (fixture.api.faults.counts().reset ?? 0) >= 20, "twenty dropped watches");
    await maps.create({ metadata: { name: "after" } });
    await until(() => informer.store.has(`${ns}/after`), "the change after them");
    expect(getEventListeners(stop.signal, "abort").length).toBeLessThanOrEqual(3);
  });

  it("waitForSync resolves false when aborted, and run refuses to run twice", async () => {
    const informer = createInformer(reader, Pod, { allNamespaces: true, ...FAST });
    const abort = new AbortController();
    const waiting = informer.waitForSync(abort.signal);
    abort.abort();
    expect(await waiting).toBe(false);
    run(informer);
    const twice = await informer.run(stop.signal).catch((error: unknown) => error);
    expect(twice).toBeInstanceOf(InvalidStateError);
    expect(isKinError(twice)).toBe(true);
    expect((twice as Error).message).toBe(
      "the informer of pods in all namespaces is already running",
    );
  });

  it("reports failures and keeps trying with backoff until the server answers", async () => {
    const ns = await freshNamespace();
    const errors: unknown[] = [];
    fixture.api.faults.set([
      { match: { verb: "list", times: 3 }, fault: { status: 403 } },
      { match: { verb: "watch", times: 3 }, fault: { status: 403 } },
    ]);
    const informer = run(
      createInformer(reader, ConfigMap, { namespace: ns, onError: (e) => errors.push(e), ...FAST }),
    );
    expect(await informer.waitForSync()).toBe(true);
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors.every((e) => e instanceof KubeApiError && e.isForbidden())).toBe(true);
  });
});
