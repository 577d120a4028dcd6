import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listenProxy, podIsolation, spawnInPod } from "@kin/mock-server";
import { kubectlBinary } from "@kin/mock-server/kubectl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppProcess, MAIN, startApp } from "../scripts/app.js";
import {
  changeConfigMap,
  DEMO_PODS,
  type DemoCluster,
  NAMESPACE,
  SERVICE_ACCOUNT,
  startDemoCluster,
} from "../scripts/cluster.js";

// The built app as a pod runs it: its own process, the real service-account path, JSON logs on stdout.
const SA_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
const isolation = await podIsolation();
if (!isolation.available)
  console.warn(
    `apps/example in-pod tests skipped: no simulated pod here (${isolation.reason}); run them as root`,
  );

type Entry = Record<string, unknown> & { level: string; msg: string };
const entries = (app: AppProcess): Entry[] =>
  app.lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Entry];
    } catch {
      return [];
    }
  });
const field = async (app: AppProcess, msg: RegExp, key: string) =>
  (JSON.parse(await app.waitFor(msg)) as Record<string, unknown>)[key];

/** What the host had before: the simulated pods must leave it untouched. */
const hostHosts = readFileSync("/etc/hosts");
const hostHadServiceAccount = existsSync(SA_PATH);
const hostServiceAccountToken = hostHadServiceAccount
  ? readFileSync(join(SA_PATH, "token"), "utf8")
  : "";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function run(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: build the app first (turbo builds before test)`);
});

describe("the app outside a pod", () => {
  it("prints --help and exits 0", async () => {
    const { code, stdout } = await run(["--help"], {});
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: kin-example \[options\]/);
  });

  it("refuses bad configuration with one line naming it and exit code 2", async () => {
    expect(await run(["--mode", "curl"], {})).toEqual({
      code: 2,
      stdout: "",
      stderr: `kin-example: --mode: "curl" is not a mode (expected client, direct, proxy)\nTry 'kin-example --help'.\n`,
    });
    expect((await run([], { KIN_SHUTDOWN_TIMEOUT: "-1" })).stderr).toMatch(
      /^kin-example: KIN_SHUTDOWN_TIMEOUT: "-1"/,
    );
  });

  it("exits 1 naming the missing variable and the missing token file", async () => {
    const missingEnv = await run(["--health-port", "0"], {});
    expect(missingEnv.code).toBe(1);
    expect(entries({ lines: missingEnv.stdout.split("\n") } as AppProcess).at(-1)).toMatchObject({
      level: "fatal",
      msg: "not running in a cluster: environment variable KUBERNETES_SERVICE_HOST is not set",
    });
    const missingToken = await run(
      ["--health-port", "0", "--service-account-dir", "/nonexistent/sa"],
      {
        KUBERNETES_SERVICE_HOST: "127.0.0.1",
        KUBERNETES_SERVICE_PORT: "6443",
      },
    );
    expect(missingToken.code).toBe(1);
    expect(missingToken.stdout).toContain(
      "not running in a cluster: token file /nonexistent/sa/token does not exist",
    );
  });

  it("in mode proxy, asks for the namespace when it has neither POD_NAMESPACE nor the file", async () => {
    const { code, stdout } = await run(
      ["--health-port", "0", "--mode", "proxy", "--service-account-dir", "/nonexistent"],
      {},
    );
    expect(code).toBe(1);
    expect(stdout).toContain(
      "mode proxy needs the namespace: set POD_NAMESPACE (the downward API's metadata.namespace) or mount /nonexistent/namespace",
    );
  });
});

describe.skipIf(!isolation.available)(
  "the app in a simulated pod (private mount namespace, real paths)",
  () => {
    let cluster: DemoCluster;
    const apps: AppProcess[] = [];
    const start = (args: string[], env: Record<string, string | undefined> = {}) => {
      const app = startApp(cluster, { isolated: true, args, env });
      apps.push(app);
      return app;
    };

    beforeAll(async () => {
      cluster = await startDemoCluster();
    });
    afterAll(async () => {
      for (const app of apps) if (app.child.exitCode === null) app.child.kill("SIGKILL");
      await cluster?.close();
      // The host's files are as they were: no service-account folder made, /etc/hosts byte-identical.
      expect(readFileSync("/etc/hosts").equals(hostHosts)).toBe(true);
      expect(existsSync(SA_PATH)).toBe(hostHadServiceAccount);
      if (hostHadServiceAccount)
        expect(readFileSync(join(SA_PATH, "token"), "utf8")).toBe(hostServiceAccountToken);
    });

    /** The whole life of the app in one mode: report, a change seen live, ready, SIGTERM, exit 0. */
    async function fullRun(
      app: AppProcess,
      configMap: string,
      identity = `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`,
    ) {
      const port = await field(app, /serving \/healthz/, "port");
      await app.waitFor(/"msg":"watching config maps"/);
      expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).text()).toBe("ok\n");
      await changeConfigMap(cluster, "POST", configMap, { color: "blue" });
      await app.waitFor(new RegExp(`"name":"${configMap}".*"msg":"config map added"`));
      await changeConfigMap(cluster, "DELETE", configMap);
      await app.waitFor(new RegExp(`"name":"${configMap}".*"msg":"config map deleted"`));
      const exit = await app.stop();
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.ms).toBeLessThan(2_000);
      const log = entries(app);
      expect(log.find((e) => e.msg === "API versions")).toMatchObject({ versions: ["v1"] });
      expect(log.find((e) => e.msg === "identity")).toMatchObject({ username: identity });
      expect(log.find((e) => e.msg === "pods")).toMatchObject({
        namespace: NAMESPACE,
        count: DEMO_PODS.length,
      });
      expect(log.filter((e) => e.msg === "pod").map((e) => e.name)).toEqual([...DEMO_PODS].sort());
      expect(log.filter((e) => e.level !== "info")).toEqual([]);
      expect(log.slice(-2).map((e) => e.msg)).toEqual(["stopping", "stopped"]);
      expect(app.lines.join("\n")).not.toContain(cluster.pod.token);
    }

    it.each(["client", "direct"])(
      "mode %s: reads the service account at the real path, reports, watches, stops on SIGTERM",
      async (mode) => {
        await fullRun(start(["--mode", mode]), `cm-${mode}`);
      },
    );

    it("mode proxy: through a real kubectl proxy in the simulated pod, on its in-cluster credentials", async () => {
      let kubectl: string;
      try {
        kubectl = await kubectlBinary();
      } catch (error) {
        console.warn(`kubectl proxy part skipped: ${(error as Error).message}`);
        return;
      }
      const home = await mkdtemp(join(tmpdir(), "kin-kubectl-home-"));
      const proxy = spawnInPod(cluster.pod, kubectl, ["proxy", "--port=0", "--address=127.0.0.1"], {
        env: { HOME: home, KUBECONFIG: undefined },
      });
      try {
        const port = await new Promise<string>((resolve, reject) => {
          let output = "";
          const take = (chunk: Buffer) => {
            output += chunk;
            const match = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(output);
            if (match?.[1]) resolve(match[1]);
          };
          proxy.stdout?.on("data", take);
          proxy.stderr?.on("data", take);
          proxy.on("exit", (code) =>
            reject(new Error(`kubectl proxy exited with ${code}: ${output}`)),
          );
        });
        // No POD_NAMESPACE: the namespace comes from the file at the real path.
        await fullRun(
          start(["--mode", "proxy", "--proxy-url", `http://127.0.0.1:${port}`]),
          "cm-proxy",
        );
      } finally {
        proxy.kill();
        await rm(home, { recursive: true, force: true });
      }
    });

    it("mode proxy: waits, not ready, for a sidecar that starts after it", async () => {
      const port = await freePort();
      const app = start(["--mode", "proxy", "--proxy-url", `http://127.0.0.1:${port}`]);
      const health = await field(app, /serving \/healthz/, "port");
      await app.waitFor(/"msg":"API server not reachable yet"/);
      const notReady = await fetch(`http://127.0.0.1:${health}/readyz`);
      expect([notReady.status, await notReady.text()]).toEqual([
        503,
        `API server not reachable: GET http://127.0.0.1:${port}/api: connect ECONNREFUSED 127.0.0.1:${port}\n`,
      ]);
      const proxy = await listenProxy(cluster.api, { token: cluster.pod.token, port });
      try {
        await app.waitFor(/"msg":"watching config maps"/, 5_000);
        expect((await fetch(`http://127.0.0.1:${health}/readyz`)).status).toBe(200);
        expect((await app.stop()).code).toBe(0);
      } finally {
        await proxy.close();
      }
    });

    /** Makes config-map changes one at a time, each after the app logged the one before. */
    async function change(app: AppProcess, name: string, step: number) {
      // A key of its own each time, so each step's log line is told apart.
      await changeConfigMap(cluster, step === 0 ? "POST" : "PUT", name, { [`step${step}`]: "x" });
      const verb = step === 0 ? "added" : "modified";
      await app.waitFor(
        new RegExp(`"name":"${name}","keys":\\["step${step}"\\].*"msg":"config map ${verb}"`),
      );
    }

    it.each(["client", "direct"])(
      "mode %s: keeps watching when the server cuts the watch, ends it, and forgets its version (410)",
      async (mode) => {
        const name = `cut-${mode}`;
        cluster.api.faults.set([
          { match: { verb: "watch", times: 1 }, fault: { cutWatchAfterEvents: 1, reset: true } },
          { match: { verb: "watch", times: 1 }, fault: { cutWatchAfterEvents: 1 } },
          { match: { verb: "watch", times: 1 }, fault: { watchGone: true } },
        ]);
        try {
          const app = start(["--mode", mode]);
          await app.waitFor(/"msg":"watching config maps"/);
          await change(app, name, 0); // then the connection is reset
          await change(app, name, 1); // then the server ends the watch; the next one gets 410
          await app.waitFor(/"msg":"watch expired \(410 Gone\): listing again"/);
          await expect
            .poll(() => entries(app).filter((e) => e.msg === "watching config maps").length)
            .toBe(2);
          await change(app, name, 2);
          expect(cluster.api.faults.counts()).toEqual({ "#0": 1, "#1": 1, "#2": 1 });
          expect((await app.stop()).code).toBe(0);
          const seen = entries(app)
            .filter((e) => e.name === name)
            .map((e) => e.msg);
          expect(seen).toEqual(["config map added", "config map modified", "config map modified"]);
          expect(entries(app).filter((e) => e.level === "error")).toEqual([]);
        } finally {
          cluster.api.faults.clear();
          await changeConfigMap(cluster, "DELETE", name);
        }
      },
    );

    it.each(["client", "direct"])(
      "mode %s: reads the rotated token at the real path when the server refuses the old one",
      async (mode) => {
        const name = `rotate-${mode}`;
        // Every watch ends after one event, so the app opens a new one after each change.
        cluster.api.faults.set([{ match: { verb: "watch" }, fault: { cutWatchAfterEvents: 1 } }]);
        try {
          const app = start(["--mode", mode]);
          await app.waitFor(/"msg":"watching config maps"/);
          await change(app, name, 0);
          const old = cluster.pod.token;
          await cluster.pod.rotateToken(); // the kubelet's ..data swap; the server revokes the old token now
          expect(cluster.pod.token).not.toBe(old);
          await change(app, name, 1); // reached the watch opened with the old token; the next one needs the new
          await change(app, name, 2);
          expect((await app.stop()).code).toBe(0);
          expect(entries(app).filter((e) => e.level !== "info")).toEqual([]);
          expect(app.lines.join("\n")).not.toContain(old);
        } finally {
          cluster.api.faults.clear();
          await changeConfigMap(cluster, "DELETE", name);
        }
      },
    );

    it("SIGTERM: the watch is closed at the server and the app exits 0 well within the grace period", async () => {
      const app = start(["--mode", "client", "--shutdown-timeout", "5"]);
      const port = await field(app, /serving \/healthz/, "port");
      await app.waitFor(/"msg":"watching config maps"/);
      await expect.poll(() => cluster.api.watchCount).toBe(1);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const exit = await app.stop("SIGTERM");
      expect(exit).toMatchObject({ code: 0, signal: null });
      // Well within --shutdown-timeout 5: the app did not wait for its shutdown timer (a machine-speed-free bound).
      expect(exit.ms).toBeLessThan(4_000);
      await expect.poll(() => cluster.api.watchCount).toBe(0);
      expect(entries(app).find((e) => e.msg === "stopping")).toMatchObject({
        signal: "SIGTERM",
        timeoutMs: 5_000,
      });
    });
  },
);

describe.skipIf(!isolation.available)(
  "the app in a simulated pod, other addresses of the API server",
  () => {
    it.each([
      ["::1", { host: "::1" }],
      ["kubernetes.default.svc (the pod's hosts file)", { serviceHost: "kubernetes.default.svc" }],
    ])("KUBERNETES_SERVICE_HOST=%s", async (name, options) => {
      const cluster = await startDemoCluster(options);
      try {
        for (const mode of ["client", "direct"]) {
          const app = startApp(cluster, { isolated: true, args: ["--mode", mode] });
          try {
            const versions = await app.waitFor(/"msg":"API versions"/);
            const host = name === "::1" ? "\\[::1\\]" : "kubernetes\\.default\\.svc";
            expect(versions).toMatch(
              new RegExp(`"server":"https://${host}:${cluster.listener.port}"`),
            );
            await app.waitFor(/"msg":"watching config maps"/);
            expect((await app.stop()).code).toBe(0);
          } finally {
            if (app.child.exitCode === null) app.child.kill("SIGKILL");
          }
        }
      } finally {
        await cluster.close();
      }
    });
  },
);
