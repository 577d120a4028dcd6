import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Listener, listenProxy } from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAIN, startApp } from "../scripts/app.js";
import { type DemoCluster, NAMESPACE, startDemoCluster } from "../scripts/cluster.js";

// The built app as its own process, stopped at the moments a pod is stopped in real life: while its
// first request hangs, and before its modules have even loaded.

type Entry = Record<string, unknown> & { msg: string };
const parse = (lines: string[]): Entry[] =>
  lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Entry];
    } catch {
      return [];
    }
  });

beforeAll(() => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: build the app first (turbo builds before test)`);
});

describe("SIGTERM while the first request hangs", () => {
  let cluster: DemoCluster;
  let proxy: Listener;
  beforeAll(async () => {
    cluster = await startDemoCluster();
    proxy = await listenProxy(cluster.api, { token: cluster.pod.token });
  });
  afterAll(async () => {
    await proxy?.close();
    await cluster?.close();
  });

  it.each(["client", "direct", "proxy"])(
    "mode %s: the request is cancelled and the app exits 0, well before its shutdown timeout",
    async (mode) => {
      // GET /api, the app's first request, never gets an answer.
      cluster.api.faults.set([{ match: { path: "/api" }, fault: { stall: true } }]);
      const app = startApp(cluster, {
        isolated: false,
        args: ["--mode", mode, "--shutdown-timeout", "5", "--proxy-url", proxy.url],
        env: { POD_NAMESPACE: NAMESPACE },
      });
      try {
        await expect
          .poll(() => cluster.api.faults.counts()["#0"] ?? 0, { timeout: 10_000 })
          .toBe(1);
        const exit = await app.stop("SIGTERM");
        expect(exit).toMatchObject({ code: 0, signal: null });
        const log = parse(app.lines);
        expect(log.map((entry) => entry.msg)).toEqual([
          "serving /healthz and /readyz",
          "stopping",
          "stopped",
        ]);
        expect(log[1]).toMatchObject({ signal: "SIGTERM", timeoutMs: 5_000 });
      } finally {
        cluster.api.faults.clear();
        if (app.child.exitCode === null) app.child.kill("SIGKILL");
      }
    },
  );
});

describe("SIGTERM before the app's modules have loaded", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kin-early-signal-"));
    // A module hook that holds the loading of pino (one of the app's first imports) until the test
    // opens the gate, and says when it is holding: the signal is sent at a moment known for certain.
    await writeFile(
      join(dir, "hooks.mjs"),
      `import { existsSync, writeFileSync } from "node:fs";
let gate;
export function initialize(data) { gate = data.gate; }
export async function resolve(specifier, context, next) {
  if (specifier === "pino") {
    writeFileSync(gate + ".holding", "");
    while (!existsSync(gate + ".open")) await new Promise((r) => setTimeout(r, 10));
  }
  return next(specifier, context);
}
`,
    );
    await writeFile(
      join(dir, "register.mjs"),
      `import { register } from "node:module";
register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)}, { data: { gate: ${JSON.stringify(join(dir, "gate"))} } });
`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("is logged and handled: the app stops at once and exits 0", async () => {
    const child = spawn(
      process.execPath,
      ["--import", join(dir, "register.mjs"), MAIN, "--health-port", "0", "--mode", "proxy"],
      { env: { PATH: process.env.PATH ?? "", POD_NAMESPACE: NAMESPACE } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    try {
      await expect
        .poll(() => existsSync(join(dir, "gate.holding")), { timeout: 10_000 })
        .toBe(true);
      child.kill("SIGTERM");
      await writeFile(join(dir, "gate.open"), "");
      expect({ ...(await exited), stderr }).toEqual({ code: 0, signal: null, stderr: "" });
      const log = parse(stdout.split("\n"));
      expect(log.map((entry) => entry.msg)).toEqual(["stopping", "stopped"]);
      expect(log[0]).toMatchObject({ signal: "SIGTERM" });
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
