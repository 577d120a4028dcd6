import { createClient } from "@kin/client";
import { createApiServer, credentialsFor } from "@kin/mock-server";
import { DEFAULT_MSW_BASE_URL, handlers } from "@kin/mock-server/msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { report } from "./app.js";

const api = createApiServer();
const token = api.issueToken();
const server = setupServer(...handlers(api));
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

it("reports API versions, namespace and pods with their phase", async () => {
  api.add({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "api-0", namespace: "default" },
    spec: { containers: [{ name: "c" }] },
    status: { phase: "Running" },
  });
  api.add({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "job-x", namespace: "default" },
    spec: { containers: [{ name: "c" }] },
  });
  const client = await createClient({
    credentials: credentialsFor({ url: DEFAULT_MSW_BASE_URL }, token),
    fetch: (...args) => globalThis.fetch(...args),
  });
  const lines: string[] = [];
  await report(client, (line) => lines.push(line));
  expect(lines).toEqual([
    "API versions: v1",
    "namespace: default",
    "pods in default: 2",
    "  api-0\tRunning",
    "  job-x\tUnknown",
  ]);
});
