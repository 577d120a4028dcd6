import { type Client, ConfigMap, KubeApiError, mergePatch, Secret } from "@kin/client";
import { EventsV1Event } from "@kin/resources";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addFinalizer,
  createController,
  createEventRecorder,
  createInformerFactory,
  hasFinalizer,
  ownerReference,
  removeFinalizer,
  splitKey,
  stripManagedFields,
} from "../src/index.js";
import { type Fixture, startFixture, until } from "./fixture.js";

// A small real controller, end to end over HTTPS: ConfigMaps labelled mirror=true are mirrored into a
// Secret they own; a finalizer removes the mirror before the ConfigMap goes; events say what happened.
const FINALIZER = "example.com/mirror";
const NAMESPACE = "mirrors";

let fixture: Fixture;
let client: Client;
let admin: Client;

beforeAll(async () => {
  fixture = await startFixture({ bookmarkIntervalMs: 200 });
  admin = await fixture.client({ rateLimit: false });
  client = await fixture.client({ rateLimit: false });
  await admin.raw.post("/api/v1/namespaces", { metadata: { name: NAMESPACE } });
});
const stops: AbortController[] = [];
afterAll(async () => {
  for (const stop of stops) stop.abort(); // a failed test must not leave watches open
  await fixture.close();
});

describe("controller over HTTPS", () => {
  it("reconciles, maps owned objects to their owner, retries failures, uses finalizers and records events; one signal stops all", async () => {
    const stop = new AbortController();
    stops.push(stop);
    const factory = createInformerFactory(client, {
      transform: stripManagedFields,
      backoff: { initialMs: 20, maxMs: 200 },
    });
    const configMaps = factory.informer(ConfigMap, {
      namespace: NAMESPACE,
      labelSelector: "mirror=true",
    });
    const secrets = factory.informer(Secret, { namespace: NAMESPACE });
    // A second consumer of the same kind and selection shares the informer (one watch).
    expect(
      factory.informer(ConfigMap, { namespace: NAMESPACE, labelSelector: "mirror=true" }),
    ).toBe(configMaps);
    expect(factory.size).toBe(2);
    const recorder = createEventRecorder(client, {
      controller: "example.com/mirror",
      instance: "test-0",
      signal: stop.signal,
    });
    const mapsApi = client.api(ConfigMap, { namespace: NAMESPACE });
    const secretsApi = client.api(Secret, { namespace: NAMESPACE });
    const failures: string[] = [];
    const reconciled: string[] = [];

    const controller = createController({
      name: "mirror",
      workers: 2,
      rateLimiter: undefined,
      onError: (error, key) =>
        failures.push(`${key}: ${error instanceof Error ? error.message : error}`),
      async reconcile(key) {
        reconciled.push(key);
        const { name } = splitKey(key);
        const map = configMaps.store.get(key);
        if (!map) return; // gone: the garbage collector deletes the mirror it owned
        if (map.metadata?.deletionTimestamp) {
          if (hasFinalizer(map, FINALIZER)) {
            await secretsApi.delete(`${name}-mirror`).catch((error) => {
              if (!(error instanceof KubeApiError && error.isNotFound())) throw error;
            });
            await removeFinalizer(mapsApi, map, FINALIZER);
          }
          return;
        }
        const withFinalizer = await addFinalizer(mapsApi, map, FINALIZER);
        const wanted = Object.fromEntries(
          Object.entries(map.data ?? {}).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
        );
        const mirror = secrets.store.get(`${NAMESPACE}/${name}-mirror`);
        if (!mirror) {
          await secretsApi.create({
            metadata: { name: `${name}-mirror`, ownerReferences: [ownerReference(withFinalizer)] },
            data: wanted,
          });
          await recorder.record(withFinalizer, {
            type: "Normal",
            reason: "Mirrored",
            action: "Create",
            note: `created ${name}-mirror`,
          });
        } else if (JSON.stringify(mirror.data ?? {}) !== JSON.stringify(wanted)) {
          await secretsApi.patch(
            mirror.metadata?.name as string,
            mergePatch<Secret>({ data: wanted }),
          );
          await recorder.record(withFinalizer, {
            type: "Normal",
            reason: "Mirrored",
            action: "Update",
          });
        }
        return undefined;
      },
    });
    controller.watch(configMaps);
    controller.watchOwned(secrets, ConfigMap);
    const factoryDone = factory.start(stop.signal);
    const controllerDone = controller.run(stop.signal);
    expect(await factory.waitForSync()).toBe(true);

    // The first create of a mirror fails once (500): the key is retried with backoff.
    fixture.api.faults.set([
      {
        match: { verb: "create", path: "/api/v1/namespaces/*/secrets", times: 1 },
        fault: { status: 500 },
      },
    ]);
    await admin.api(ConfigMap, { namespace: NAMESPACE }).create({
      metadata: { name: "settings", labels: { mirror: "true" } },
      data: { color: "blue" },
    });
    const secretOf = () => admin.api(Secret, { namespace: NAMESPACE }).get("settings-mirror");
    await until(async () => (await secretOf().catch(() => undefined)) !== undefined, "the mirror");
    // The injected 500, retried; a retry that read the cache before the finalizer's update arrived
    // may also get 409 from the guarded patch — retried as well, as controllers must.
    expect(failures.filter((f) => /^mirrors\/settings: POST .* → 500/.test(f))).toHaveLength(1);
    expect(failures.every((f) => / → (500|409) /.test(f))).toBe(true);
    const created = await secretOf();
    expect(Buffer.from(created.data?.color ?? "", "base64").toString()).toBe("blue");
    expect(created.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: "ConfigMap",
      name: "settings",
      controller: true,
    });
    expect(
      (await admin.api(ConfigMap, { namespace: NAMESPACE }).get("settings")).metadata?.finalizers,
    ).toEqual([FINALIZER]);

    // A change of the owner updates the mirror; deleting the mirror brings it back (owned → owner key).
    await admin
      .api(ConfigMap, { namespace: NAMESPACE })
      .patch("settings", mergePatch<ConfigMap>({ data: { color: "green" } }));
    await until(
      async () =>
        Buffer.from((await secretOf()).data?.color ?? "", "base64").toString() === "green",
      "the update",
    );
    const before = (await secretOf()).metadata?.uid;
    await admin.api(Secret, { namespace: NAMESPACE }).delete("settings-mirror");
    await until(
      async () => ((await secretOf().catch(() => undefined))?.metadata?.uid ?? before) !== before,
      "the mirror back",
    );

    // Events went to events.k8s.io/v1 about the ConfigMap, repeats as a series.
    const events = await admin.api(EventsV1Event, { namespace: NAMESPACE }).list();
    const mirrored = events.items.filter((e) => e.reason === "Mirrored");
    expect(mirrored.length).toBeGreaterThanOrEqual(2);
    expect(mirrored[0]).toMatchObject({
      reportingController: "example.com/mirror",
      reportingInstance: "test-0",
      regarding: { kind: "ConfigMap", name: "settings", namespace: NAMESPACE },
      type: "Normal",
    });

    // Deleting the owner: the finalizer lets the controller clean up first, then it is gone.
    await admin.api(ConfigMap, { namespace: NAMESPACE }).delete("settings");
    await until(
      async () =>
        (await admin
          .api(ConfigMap, { namespace: NAMESPACE })
          .get("settings")
          .catch(() => undefined)) === undefined,
      "the owner to go",
    );
    await until(
      async () => (await secretOf().catch(() => undefined)) === undefined,
      "the mirror to go",
    );

    // One signal stops everything: informers (their watches), the controller, the recorder.
    stop.abort();
    await Promise.all([factoryDone, controllerDone]);
    expect(controller.queue.shuttingDown).toBe(true);
    const metrics = controller.queue.metrics();
    expect(metrics.adds).toBeGreaterThan(3);
    expect(metrics.retries).toBeGreaterThanOrEqual(1);
    // Items handed out after the abort are put back unreconciled, and count as work too.
    expect(metrics.workDuration.count).toBeGreaterThanOrEqual(reconciled.length);

    await until(() => fixture.api.watchCount === 0, "every watch closed");
  }, 60_000);

  it("records repeats of an event as one Event with a series, written on repeat and on close", async () => {
    const maps = admin.api(ConfigMap, { namespace: NAMESPACE });
    const subject = await maps.create({ metadata: { name: "noisy" } });
    const errors: unknown[] = [];
    const recorder = createEventRecorder(client, {
      controller: "example.com/noisy",
      onError: (e) => errors.push(e),
    });
    const events = admin.api(EventsV1Event, { namespace: NAMESPACE });
    const ofNoisy = async () =>
      (await events.list()).items.filter((e) => e.regarding?.name === "noisy");
    const details = {
      type: "Warning",
      reason: "Flapping",
      action: "Check",
      note: "again",
    } as const;
    await recorder.record(subject, details);
    expect(await ofNoisy()).toHaveLength(1);
    expect((await ofNoisy())[0]?.series).toBeUndefined();
    await recorder.record(subject, details);
    expect((await ofNoisy())[0]?.series?.count).toBe(2);
    await recorder.record(subject, details);
    await recorder.record(subject, details);
    expect((await ofNoisy())[0]?.series?.count).toBe(2); // counted, written later
    await recorder.close();
    const [event] = await ofNoisy();
    expect(event?.series?.count).toBe(4);
    expect(event).toMatchObject({
      type: "Warning",
      reason: "Flapping",
      reportingController: "example.com/noisy",
      reportingInstance: expect.stringMatching(/^example\.com\/noisy-/),
      regarding: { apiVersion: "v1", kind: "ConfigMap", name: "noisy", uid: subject.metadata?.uid },
    });
    expect(event?.metadata?.name).toMatch(/^noisy\.[0-9a-f]+$/);
    expect(errors).toEqual([]);
    await expect(recorder.record({ metadata: { name: "x" } }, details)).rejects.toThrow(
      /no apiVersion/,
    );
  });

  it("a finalizer patch on a stale object is refused (409), never overwriting another writer", async () => {
    const maps = admin.api(ConfigMap, { namespace: NAMESPACE });
    const stale = await maps.create({ metadata: { name: "contended" } });
    await maps.patch(
      "contended",
      mergePatch<ConfigMap>({ metadata: { finalizers: ["other.example.com/keep"] } }),
    );
    const error = await addFinalizer(maps, stale, FINALIZER).catch((e: unknown) => e);
    expect(error instanceof KubeApiError && error.isConflict()).toBe(true);
    const fresh = await maps.get("contended");
    const added = await addFinalizer(maps, fresh, FINALIZER);
    expect(added.metadata?.finalizers).toEqual(["other.example.com/keep", FINALIZER]);
    expect(await addFinalizer(maps, added, FINALIZER)).toBe(added); // already there: no request
    const removed = await removeFinalizer(maps, added, "other.example.com/keep");
    expect(removed.metadata?.finalizers).toEqual([FINALIZER]);
    const none = await removeFinalizer(maps, removed, FINALIZER);
    expect(none.metadata?.finalizers).toBeUndefined();
  });

  it("requeues after a delay when asked, and the controller stops when the signal aborts before sync", async () => {
    const factory = createInformerFactory(client);
    const informer = factory.informer(ConfigMap, { namespace: NAMESPACE });
    const seen: string[] = [];
    const controller = createController({
      name: "later",
      reconcile: async (key) => {
        seen.push(key);
        return seen.length < 3 ? { requeueAfterMs: 20 } : undefined;
      },
    });
    controller.watch(informer, () => undefined); // maps nothing: keys come from enqueue only
    const stop = new AbortController();
    stops.push(stop);
    const started = factory.start(stop.signal);
    const running = controller.run(stop.signal);
    controller.enqueue("x/y");
    await until(() => seen.length === 3, "three reconciles");
    expect(seen).toEqual(["x/y", "x/y", "x/y"]);
    stop.abort();
    await Promise.all([started, running]);
    await expect(controller.run(new AbortController().signal)).rejects.toThrow(/already ran/);
  });
});
