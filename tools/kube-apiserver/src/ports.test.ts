import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "./ports.js";

const bind = (port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, host, () => server.close(() => resolve()));
  });

describe("freePort", () => {
  it("answers a port that can then be bound on 127.0.0.1 and ::1", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    await bind(port, "127.0.0.1");
    await bind(port, "::1");
  });
});
