// get and list, with resourceVersion / resourceVersionMatch semantics and limit/continue pagination
// (apiserver/pkg/storage/etcd3/store.go GetList, cacher.go; docs: "Resource versions" in the API concepts).
import { groupResource } from "../discovery/catalogue.js";
import { encode, encodeItem, text } from "../http/responses.js";
import type { Target } from "../http/routing.js";
import * as status from "../http/status.js";
import { StatusError } from "../http/status.js";
import { tableOf } from "../printing/table.js";
import { selection } from "../registry/selectors.js";
import type { Entry, ObjectStore } from "../registry/store.js";

export function get(
  store: ObjectStore,
  target: Target,
  query: URLSearchParams,
  accept: string | null = null,
): Response {
  const rv = query.get("resourceVersion") ?? "";
  if (rv !== "" && rv !== "0" && !/^\d+$/.test(rv))
    throw new StatusError(status.badRequest(`invalid resource version: ${rv}`));
  const object = store.get(target.served.key, target.namespace, target.name as string);
  if (!object)
    throw new StatusError(status.notFound(groupResource(target.served), target.name as string));
  const table = tableOf(store, target, accept, query, [object]);
  return text(table ?? encode(object));
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

// The apiserver's continue token (storage/continue.go): base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"}.
const encodeContinue = (rv: number, lastKey: string) =>
  Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start: `${lastKey}\u0000` })).toString(
    "base64url",
  );

function decodeContinue(token: string): ContinueToken {
  let decoded: ContinueToken;
  try {
    decoded = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as ContinueToken;
  } catch {
    throw new StatusError(
      status.badRequest("continue key is not valid: illegal base64 data at input byte 0"),
    );
  }
  if (decoded?.v !== "meta.k8s.io/v1")
    throw new StatusError(
      status.badRequest(
        "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
      ),
    );
  if (typeof decoded.start !== "string" || typeof decoded.rv !== "number" || decoded.rv <= 0)
    throw new StatusError(
      status.badRequest("continue key is not valid: encoded start resourceVersion is not valid"),
    );
  return decoded;
}

/** etcd3/store.go: the message of a continue token whose revision was compacted. */
const INCONSISTENT_CONTINUE =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/** `ValidateListOptions` (apis/meta/internalversion/validation), list side. */
export function validateListOptions(query: URLSearchParams, watch: boolean): void {
  const causes: status.FieldCause[] = [];
  const match = query.get("resourceVersionMatch") ?? "";
  const rv = query.get("resourceVersion") ?? "";
  const sendInitialEvents = query.get("sendInitialEvents");
  if (sendInitialEvents !== null) {
    if (!watch)
      causes.push({
        type: "Forbidden",
        field: "sendInitialEvents",
        detail: "sendInitialEvents is forbidden for list",
      });
    else {
      if (match !== "NotOlderThan")
        causes.push({
          type: "Forbidden",
          field: "resourceVersionMatch",
          detail: "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
        });
      if (query.get("allowWatchBookmarks") !== "true")
        causes.push({
          type: "Forbidden",
          field: "allowWatchBookmarks",
          detail: "sendInitialEvents requires setting allowWatchBookmarks to true",
        });
    }
  } else if (watch && match !== "") {
    causes.push({
      type: "Forbidden",
      field: "resourceVersionMatch",
      detail: "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
    });
  }
  if (!watch && match !== "") {
    if (rv === "")
      causes.push({
        type: "Forbidden",
        field: "resourceVersionMatch",
        detail: "resourceVersionMatch is forbidden unless resourceVersion is provided",
      });
    if (query.get("continue"))
      causes.push({
        type: "Forbidden",
        field: "resourceVersionMatch",
        detail: "resourceVersionMatch is forbidden when continue is provided",
      });
    if (match === "Exact" && rv === "0")
      causes.push({
        type: "Forbidden",
        field: "resourceVersionMatch",
        detail: 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      });
    if (match !== "Exact" && match !== "NotOlderThan")
      causes.push({
        type: "NotSupported",
        field: "resourceVersionMatch",
        value: match,
        supported: ["Exact", "NotOlderThan", ""],
      });
  }
  if (causes.length > 0) throw new StatusError(status.invalidOptions("ListOptions", causes));
}

/** Parses a resourceVersion parameter: a non-negative integer. */
export function parseRevision(rv: string): number {
  if (!/^\d+$/.test(rv))
    throw new StatusError(status.badRequest(`invalid resource version: ${rv}`));
  return Number(rv);
}

/** cacher.go waitUntilFreshAndBlock: a version the server has not reached yet (answered at once here). */
export const tooLarge = (requested: number, current: number) =>
  new StatusError(
    status.failure(
      504,
      "Timeout",
      `Timeout: Too large resource version: ${requested}, current: ${current}`,
      {
        causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
        retryAfterSeconds: 1,
      },
    ),
  );

export function list(
  store: ObjectStore,
  target: Target,
  query: URLSearchParams,
  accept: string | null = null,
): Response {
  validateListOptions(query, false);
  const { predicate } = selection(target.served, query);
  const rvParam = query.get("resourceVersion") ?? "";
  const match = query.get("resourceVersionMatch") ?? "";
  const token = query.get("continue");
  let limit = Number(query.get("limit") ?? 0);
  if (!Number.isFinite(limit) || limit < 0) limit = 0;
  const current = store.revision;
  let revision = current;
  let start = "";
  let entries: Entry[] | undefined;
  if (token) {
    const decoded = decodeContinue(token);
    revision = decoded.rv;
    start = decoded.start;
    entries = store.listAt(target.served.key, revision, target.namespace);
    if (!entries) throw new StatusError(status.expired(INCONSISTENT_CONTINUE));
  } else if (rvParam !== "" && rvParam !== "0") {
    const requested = parseRevision(rvParam);
    if (requested > current) throw tooLarge(requested, current);
    if (match === "Exact") {
      revision = requested;
      entries = store.listAt(target.served.key, requested, target.namespace);
      if (!entries)
        throw new StatusError(
          status.expired("The resourceVersion for the provided list is too old."),
        );
    }
  } else if (rvParam === "0") {
    // Served from the watch cache, which ignores limit in 1.28 (no pagination from the cache).
    limit = 0;
  }
  entries ??= store.list(target.served.key, target.namespace);
  let from = 0;
  if (start) {
    // First key >= start (binary search: entries are sorted).
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((entries[mid] as Entry).key < start) lo = mid + 1;
      else hi = mid;
    }
    from = lo;
  }
  const items: string[] = [];
  const objects: Entry["object"][] = [];
  let last: Entry | undefined;
  let more = false;
  let remaining = 0;
  for (let i = from; i < entries.length; i++) {
    const entry = entries[i] as Entry;
    if (predicate && !predicate(entry.object)) continue;
    if (limit > 0 && items.length >= limit) {
      more = true;
      if (predicate) break;
      remaining = entries.length - i;
      break;
    }
    items.push(encodeItem(entry.object));
    objects.push(entry.object);
    last = entry;
  }
  const d = target.served.descriptor;
  const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
  if (more && last) {
    metadata.continue = encodeContinue(revision, last.key);
    // remainingItemCount only when the count is exact: no selector (etcd3/store.go).
    if (!predicate) metadata.remainingItemCount = remaining;
  }
  const table = tableOf(store, target, accept, query, objects, metadata);
  if (table) return text(table);
  const head = JSON.stringify({
    kind: d.listKind ?? `${d.kind}List`,
    apiVersion: d.apiVersion,
    metadata,
  });
  return text(`${head.slice(0, -1)},"items":[${items.join(",")}]}`);
}
