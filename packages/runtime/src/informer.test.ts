import { ConfigMap, createClient } from "@kin/client";
import { createApiServer, credentialsFor } from "@kin/mock-server";
import { DEFAULT_MSW_BASE_URL, handlers } from "@kin/mock-server/msw";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInformer } from "./informer.js";

// Scripted answers in front of the mock server, for what a real API server does rarely: a list whose
// resourceVersion is gone, and a continue token that expires between pages (client-go's pager).
const api = createApiServer();
const token = api.issueToken();
const lists: string[] = [];
const expired = (message: string) =>
  HttpResponse.json(
    { kind: "Status", apiVersion: "v1", status: "Failure", message, reason: "Expired", code: 410 },
    { status: 410 },
  );
const item = (name: string, rv: string) => ({
  metadata: { name, namespace: "paged", resourceVersion: rv, uid: name },
});
const server = setupServer(
  http.get(`${DEFAULT_MSW_BASE_URL}/api/v1/namespaces/paged/configmaps`, ({ request }) => {
    const query = new URL(request.url).searchParams;
    if (query.get("watch") === "true")
      // A watch that stays open, quietly, until the informer stops.
      return new HttpResponse(new ReadableStream({ start() {} }), {
        headers: { "content-type": "application/json" },
      });
    lists.push(query.toString());
    const rv = query.get("resourceVersion");
    if (rv === "0") return expired("too old resource version: 0 (5)");
    if (query.get("continue") === "page-2")
      return expired("The provided continue parameter is too old");
    if (query.get("limit") === "2")
      return HttpResponse.json({
        kind: "ConfigMapList",
        apiVersion: "v1",
        metadata: { resourceVersion: "100", continue: "page-2" },
        items: [item("a", "90"), item("b", "91")],
      });
    return HttpResponse.json({
      kind: "ConfigMapList",
      apiVersion: "v1",
      metadata: { resourceVersion: "101" },
      items: [item("a", "90"), item("b", "91"), item("c", "101")],
    });
  }),
  ...handlers(api),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

describe("informer lists as client-go's reflector and pager do", () => {
  it("after a 410 lists from etcd page by page, and a full list when a continue token expires", async () => {
    const client = await createClient({
      credentials: credentialsFor({ url: DEFAULT_MSW_BASE_URL }, token),
      fetch: (...args) => globalThis.fetch(...args),
    });
    const informer = createInformer(client, ConfigMap, {
      namespace: "paged",
      pageSize: 2,
      onError: () => {},
      backoff: { initialMs: 1, maxMs: 10 },
    });
    const stop = new AbortController();
    const running = informer.run(stop.signal);
    expect(await informer.waitForSync()).toBe(true);
    expect(lists).toEqual([
      "limit=2&resourceVersion=0", // from the watch cache: limit ignored by the server, as 1.28
      "limit=2", // the version is gone: a consistent read, paged
      "limit=2&continue=page-2",
      "", // the token expired mid-way: one full list
    ]);
    expect(informer.store.keys().sort()).toEqual(["paged/a", "paged/b", "paged/c"]);
    expect(informer.lastSyncResourceVersion).toBe("101");
    expect(informer.stats.lists).toBe(2);
    stop.abort();
    await running;
    await client.close();
  });
});
