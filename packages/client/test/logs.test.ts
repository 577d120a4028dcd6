import { once } from "node:events";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { credentialsFor, generateCertificates } from "@kin/mock-server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Client, ConfigMap, createClient, Pod } from "../src/index.js";

// The mock server has no kubelet, so pod logs come from a small purpose-built HTTPS server that
// answers `/log` as the API server proxies it: plain text, chunked, following when asked.
let server: Server;
let client: Client;
const queries: URLSearchParams[] = [];

beforeAll(async () => {
  const certificates = await generateCertificates();
  server = createServer({ cert: certificates.cert, key: certificates.key }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://x");
    if (url.pathname !== "/api/v1/namespaces/default/pods/web-0/log") {
      res.writeHead(404, { "content-type": "application/json" }).end(
        JSON.stringify({
          kind: "Status",
          code: 404,
          reason: "NotFound",
          message: 'pods "x" not found',
        }),
      );
      return;
    }
    queries.push(url.searchParams);
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("2026-11-28T12:00:00Z started\n2026-11-28T12:00:01Z ünïcödé ");
    if (url.searchParams.get("follow") !== "true") {
      res.end("line\n");
      return;
    }
    let n = 0;
    const timer = setInterval(() => res.write(`tick ${++n}\n`), 10);
    res.on("close", () => clearInterval(timer));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = await createClient({
    credentials: credentialsFor({ url, ca: certificates.ca }, "t"),
    rateLimit: false,
  });
});
afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  server.close();
});

it("reads a pod's log as text with its options in the query", async () => {
  const text = await client
    .api(Pod)
    .logs("web-0", { container: "web", tailLines: 10, timestamps: true, sinceSeconds: 60 });
  expect(text).toBe("2026-11-28T12:00:00Z started\n2026-11-28T12:00:01Z ünïcödé line\n");
  expect(Object.fromEntries(queries.at(-1) ?? [])).toEqual({
    container: "web",
    tailLines: "10",
    timestamps: "true",
    sinceSeconds: "60",
  });
});

it("follows a log line by line until the caller stops", async () => {
  const stop = new AbortController();
  const lines: string[] = [];
  for await (const line of client
    .api(Pod)
    .streamLogs("web-0", { follow: true, signal: stop.signal })) {
    lines.push(line);
    if (lines.length === 5) stop.abort();
  }
  expect(lines).toEqual([
    "2026-11-28T12:00:00Z started",
    "2026-11-28T12:00:01Z ünïcödé tick 1",
    "tick 2",
    "tick 3",
    "tick 4",
  ]);
});

it("refuses logs for kinds without a log subresource", async () => {
  await expect(client.api(ConfigMap).logs("x")).rejects.toThrow(/has no log subresource/);
});
