// watch: resourceVersion "" / "0" (synthetic ADDED for what exists, then changes), a specific version
// (replay from the history window, 410 ERROR event when older), sendInitialEvents (watch-list, 1.27+,
// as with the WatchList feature gate on), bookmarks, timeoutSeconds, selectors.
import type { Target } from "../http/routing.js";
import { tableWatch } from "../printing/table.js";
import { selection } from "../registry/selectors.js";
import type { ObjectStore } from "../registry/store.js";
import type { WatchHub } from "../registry/watchHub.js";
import { parseRevision, tooLarge, validateListOptions } from "./read.js";

export function watch(
  store: ObjectStore,
  hub: WatchHub,
  target: Target,
  query: URLSearchParams,
  accept: string | null = null,
): Response {
  validateListOptions(query, true);
  const { predicate } = selection(target.served, query);
  const rv = query.get("resourceVersion") ?? "";
  const sendInitialEvents = query.get("sendInitialEvents") === "true";
  const d = target.served.descriptor;
  const current = () => store.list(target.served.key, target.namespace).map((e) => e.object);
  let since: number | undefined;
  let initial: ReturnType<typeof current> | undefined;
  if (sendInitialEvents) {
    if (rv !== "" && rv !== "0") {
      const requested = parseRevision(rv);
      if (requested > store.revision) throw tooLarge(requested, store.revision);
    }
    initial = current();
  } else if (rv === "" || rv === "0") {
    initial = current();
  } else {
    since = parseRevision(rv);
    if (since > store.revision) throw tooLarge(since, store.revision);
  }
  const timeout = query.get("timeoutSeconds");
  const body = hub.watch({
    resource: target.served.key,
    namespace: target.namespace,
    predicate,
    apiVersion: d.apiVersion,
    kind: d.kind,
    initial,
    initialEventsEnd: sendInitialEvents,
    since,
    bookmarks: query.get("allowWatchBookmarks") === "true",
    timeoutMs: timeout !== null && Number(timeout) > 0 ? Number(timeout) * 1000 : undefined,
  });
  // The apiserver flushes the headers as soon as a watch starts (serveWatch): an empty first chunk
  // makes an adapter write them before any event, so clients that wait for the headers (every
  // fetch-based one) see the watch open on a quiet resource.
  const flushed = tableWatch(store, target, accept, query, body).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start: (controller) => controller.enqueue(new Uint8Array(0)),
    }),
  );
  return new Response(flushed, {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "no-cache, private" },
  });
}
