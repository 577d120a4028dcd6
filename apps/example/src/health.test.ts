import { afterEach, describe, expect, it } from "vitest";
import type { Readiness } from "./app.js";
import { serveHealth } from "./health.js";

describe("serveHealth", () => {
  const servers: { close(): unknown }[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  it("answers /healthz always and /readyz by the readiness, with the reason when not ready", async () => {
    const readiness: Readiness = { ready: false, reason: "starting" };
    const server = await serveHealth(0, readiness);
    servers.push(server);
    const get = async (path: string, method = "GET") => {
      const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
      return [response.status, await response.text()];
    };
    expect(await get("/healthz")).toEqual([200, "ok\n"]);
    expect(await get("/readyz")).toEqual([503, "starting\n"]);
    readiness.ready = true;
    expect(await get("/readyz?verbose")).toEqual([200, "ok\n"]);
    expect(await get("/metrics")).toEqual([404, "not found\n"]);
    expect(await get("/healthz", "POST")).toEqual([405, "method not allowed\n"]);
  });

  it("names the port it cannot listen on", async () => {
    const first = await serveHealth(0, { ready: true, reason: "" });
    servers.push(first);
    await expect(serveHealth(first.port, { ready: true, reason: "" })).rejects.toThrow(
      `cannot serve health endpoints on port ${first.port}: EADDRINUSE`,
    );
  });
});
