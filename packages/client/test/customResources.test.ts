import { createApiServer, credentialsFor, type HttpsListener, listen } from "@kin/mock-server";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type Client,
  CustomResourceDefinition,
  createClient,
  defineResource,
  mergePatch,
} from "../src/index.js";

// Custom resources: a CRD installed through the client, then used through a typed descriptor
// and through discovery.
const Widget = defineResource<{ size: number }, { ready: boolean }, true>({
  group: "example.com",
  version: "v1",
  kind: "Widget",
  plural: "widgets",
  namespaced: true,
  subresources: { status: true },
});
const api = createApiServer();
let listener: HttpsListener;
let client: Client;

beforeAll(async () => {
  listener = await listen(api);
  client = await createClient({
    credentials: credentialsFor(listener, api.issueToken()),
    rateLimit: false,
  });
  await client.api(CustomResourceDefinition).create({
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      names: { kind: "Widget", plural: "widgets", singular: "widget", listKind: "WidgetList" },
      scope: "Namespaced",
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: { type: "object", properties: { size: { type: "integer" } } },
                status: { type: "object", properties: { ready: { type: "boolean" } } },
              },
            },
          },
        },
      ],
    },
  });
});
afterAll(async () => {
  await client.close();
  await listener.close();
});

it("creates, patches and reads a custom resource through its typed descriptor", async () => {
  const widgets = client.api(Widget);
  const created = await widgets.create({
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w1" },
    spec: { size: 3 },
  });
  expect(created.spec?.size).toBe(3);
  await widgets.patch("w1", mergePatch({ spec: { size: 5 } }));
  await widgets.patchStatus("w1", mergePatch({ status: { ready: true } }));
  const read = await widgets.get("w1");
  expect(read.spec?.size).toBe(5);
  expect(read.status?.ready).toBe(true);
});

it("reaches the same objects by apiVersion and kind through discovery", async () => {
  const dynamic = await client.dynamic("example.com/v1", "Widget");
  const list = await dynamic.list();
  expect(list.items.map((w) => w.metadata?.name)).toEqual(["w1"]);
});
