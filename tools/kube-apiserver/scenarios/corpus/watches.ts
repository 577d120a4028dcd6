// Watches: replay from a resourceVersion, bookmarks, timeouts, 410s, and pagination with continue tokens
// before and after a compaction.
import { listShape, outcome, watchEvents } from "../observe.js";
import type { Scenario } from "../scenario.js";

const configMap = (name: string, value = "1") => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, labels: { app: "x" } },
  data: { key: value },
});

export const watches: Scenario[] = [
  {
    name: "watch from a resourceVersion replays the changes",
    async run({ call, namespace, observe }) {
      const base = `/api/v1/namespaces/${namespace}/configmaps`;
      const created = await call("POST", base, { body: configMap("w") });
      const since = created.json.metadata.resourceVersion;
      const got = await call("GET", `${base}/w`);
      await call("PUT", `${base}/w`, { body: { ...got.json, data: { key: "2" } } });
      await call("POST", base, { body: configMap("other") });
      await call("DELETE", `${base}/w`);
      observe(
        "watch from the create's version",
        watchEvents(
          await call("GET", `${base}?watch=true&resourceVersion=${since}&timeoutSeconds=1`),
        ),
      );
      observe(
        "watch with a label selector",
        watchEvents(
          await call(
            "GET",
            `${base}?watch=true&resourceVersion=${since}&timeoutSeconds=1&labelSelector=app%3Dx`,
          ),
        ),
      );
      observe(
        "watch with fieldSelector metadata.name=w",
        watchEvents(
          await call(
            "GET",
            `${base}?watch=true&resourceVersion=${since}&timeoutSeconds=1&fieldSelector=metadata.name%3Dw`,
          ),
        ),
      );
      observe(
        "watch from 0 (synthetic ADDED)",
        watchEvents(await call("GET", `${base}?watch=true&resourceVersion=0&timeoutSeconds=1`)),
      );
      // Bookmarks come about once a minute on both (the cacher's bookmark frequency; the mock's
      // bookmarkIntervalMs): none in a 1 s watch.
      observe(
        "watch with bookmarks allowed, 1 s",
        watchEvents(
          await call(
            "GET",
            `${base}?watch=true&resourceVersion=${since}&timeoutSeconds=1&allowWatchBookmarks=true`,
          ),
        ),
      );
      observe(
        "watch a single object by name (fieldSelector) from now",
        watchEvents(
          await call(
            "GET",
            `${base}?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dother`,
          ),
        ),
      );
      observe(
        "sendInitialEvents=true",
        watchEvents(
          await call(
            "GET",
            `${base}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`,
          ),
        ),
      );
    },
  },
  {
    name: "pagination and compaction",
    async run({ call, namespace, observe, target }) {
      const base = `/api/v1/namespaces/${namespace}/configmaps`;
      for (const name of ["p1", "p2", "p3"]) await call("POST", base, { body: configMap(name) });
      const first = await call("GET", `${base}?limit=1`);
      observe("first page", listShape(first.json));
      const second = await call(
        "GET",
        `${base}?limit=1&continue=${encodeURIComponent(first.json.metadata.continue)}`,
      );
      observe("second page", listShape(second.json));
      observe(
        "a page with a label selector",
        listShape((await call("GET", `${base}?limit=1&labelSelector=app%3Dx`)).json),
      );
      observe(
        "a continue token that is not one",
        outcome(await call("GET", `${base}?limit=1&continue=garbage`)),
      );
      const since = first.json.metadata.resourceVersion;
      // Two writes after `since`: the compaction then removes the revision a watch from `since` starts at.
      for (const name of ["p4", "p5"]) await call("POST", base, { body: configMap(name) });
      await target.compact();
      const expired = await call(
        "GET",
        `${base}?limit=1&continue=${encodeURIComponent(second.json.metadata.continue)}`,
      );
      observe("continue after compaction", {
        ...outcome(expired),
        message: expired.json?.message,
        continue: typeof expired.json?.metadata?.continue === "string" ? "<token>" : undefined,
      });
      observe(
        "watch events from before the compaction",
        watchEvents(
          await call(
            "GET",
            `/api/v1/namespaces/${namespace}/events?watch=1&resourceVersion=${since}&timeoutSeconds=1`,
          ),
        ),
      );
      observe(
        "watch config maps (watch-cached) from before the compaction",
        watchEvents(await call("GET", `${base}?watch=1&resourceVersion=${since}&timeoutSeconds=1`)),
      );
      observe(
        "list at an exact compacted version",
        outcome(await call("GET", `${base}?resourceVersion=${since}&resourceVersionMatch=Exact`)),
      );
    },
  },
];
