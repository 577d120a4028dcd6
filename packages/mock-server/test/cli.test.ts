// The kin-mock-server CLI as a real child process: src/adapters/cli.ts bundled with esbuild (the root's
// devDependency) into node_modules/.cache, so no package build is needed.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadKubeconfig } from "@kin/credentials/kubeconfig";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = new URL("..", import.meta.url).pathname;
const cli = join(here, "node_modules", ".cache", "kin-mock-server-test", `cli-${process.pid}.mjs`);
let esbuildMissing: string | undefined;
let work: string;

beforeAll(async () => {
  let esbuild: typeof import("esbuild");
  try {
    esbuild = await import("esbuild");
  } catch (error) {
    esbuildMissing = `esbuild cannot be loaded (${(error as Error).message})`;
    return;
  }
  await esbuild.build({
    entryPoints: [join(here, "src", "adapters", "cli.ts")],
    outfile: cli,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@kin/source"],
    // npm dependencies stay external: they resolve from this package's node_modules.
    external: ["yaml", "@peculiar/*", "reflect-metadata"],
    logLevel: "error",
  });
  work = await mkdtemp(join(tmpdir(), "kin-cli-test-"));
  const seeds = join(work, "seed");
  await mkdir(join(seeds, "more"), { recursive: true });
  const pod = (name: string) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "demo" },
    spec: { containers: [{ name: "c", image: "nginx" }] },
  });
  await writeFile(
    join(seeds, "a.yaml"),
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n---\n# empty documents are skipped\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: demo\nspec:\n  containers:\n    - name: c\n      image: nginx\n",
  );
  await writeFile(
    join(seeds, "more", "list.json"),
    JSON.stringify({ apiVersion: "v1", kind: "List", items: [pod("api"), pod("db")] }),
  );
  await writeFile(join(seeds, "README.txt"), "not a manifest: ignored");
  await writeFile(
    join(work, "faults.yaml"),
    "seed: 7\nrules:\n  - name: first-version\n    match: { path: /version, times: 1 }\n    fault: { status: 503 }\n",
  );
  await writeFile(join(work, "bad.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n");
}, 60_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await rm(cli, { force: true });
});

/** Starts the CLI and waits for its "listening on" line. */
function start(args: string[]): Promise<{ child: ChildProcess; url: string; out: string[] }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const out: string[] = [];
  let err = "";
  return new Promise((resolve, reject) => {
    let buffer = "";
    child.stderr?.on("data", (d) => {
      err += d;
    });
    child.stdout?.on("data", (d) => {
      buffer += d;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      out.push(...lines);
      const url = out.map((l) => /listening on (https:\/\/\S+)/.exec(l)?.[1]).find(Boolean);
      if (url && out.some((l) => l.includes("Ctrl-C stops"))) resolve({ child, url, out });
    });
    child.once("exit", (code) => reject(new Error(`exited ${code} before listening: ${err}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

async function get(
  server: string,
  ca: string | undefined,
  authorization: string,
  path: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server}${path}`, { ca, headers: { authorization } }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const run = (args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 15_000 });

describe("kin-mock-server", () => {
  it("serves the seeds over HTTPS, writes a kubeconfig and a pod folder, logs faults, stops on SIGINT", async (context) => {
    if (esbuildMissing) context.skip(esbuildMissing);
    const kubeconfig = join(work, "kube", "config");
    const podDir = join(work, "pod");
    const { child, url, out } = await start([
      "--port",
      "0",
      "--seed",
      join(work, "seed"),
      "--kubeconfig",
      kubeconfig,
      "--pod-dir",
      podDir,
      "--faults",
      join(work, "faults.yaml"),
    ]);
    try {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(out).toContain(`  objects seeded: 4, faults from ${join(work, "faults.yaml")}`);
      expect(out).toContain(`    KUBECONFIG=${kubeconfig} kubectl get pods`);
      expect(out).toContain(
        `    curl --cacert ${podDir}/ca.crt -H "Authorization: Bearer $(cat ${podDir}/token)" ${url}/api`,
      );
      const port = new URL(url).port;
      expect(out).toContain(
        `    KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=${port} KUBERNETES_SERVICE_PORT_HTTPS=${port}`,
      );

      const credentials = await loadKubeconfig({ files: [kubeconfig], env: {} });
      expect(credentials.server).toBe(url);
      expect(credentials.namespace).toBe("default");
      const authorization = (await credentials.auth?.authorization()) ?? "";
      const pods = await get(url, credentials.ca, authorization, "/api/v1/namespaces/demo/pods");
      expect(pods.status).toBe(200);
      expect(
        JSON.parse(pods.body)
          .items.map((p: any) => p.metadata.name)
          .sort(),
      ).toEqual(["api", "db", "web"]);
      // The fault plan's rule fires once and shows in the log; the token never does.
      expect((await get(url, credentials.ca, authorization, "/version")).status).toBe(503);
      expect((await get(url, credentials.ca, authorization, "/version")).status).toBe(200);
      // The pod folder holds the same CA and token.
      const token = await readFile(join(podDir, "token"), "utf8");
      expect(`Bearer ${token}`).toBe(authorization);
      expect(await readFile(join(podDir, "ca.crt"), "utf8")).toBe(credentials.ca);
      expect(await readFile(join(podDir, "namespace"), "utf8")).toBe("default");
      await expect
        .poll(() => out.join("\n"))
        .toContain("[kin-mock-server] fault first-version: status 503 ← GET /version");
      expect(out.join("\n")).toMatch(
        /\[kin-mock-server\] GET \/api\/v1\/namespaces\/demo\/pods → 200/,
      );
      expect(out.join("\n")).not.toContain(token);
    } finally {
      const code = exited(child);
      child.kill("SIGINT");
      expect(await code).toBe(0);
    }
    expect(out.join("\n")).toContain("kin-mock-server: SIGINT, stopping");
  });

  it("listens on IPv6 loopback and closes open watches on SIGTERM", async (context) => {
    if (esbuildMissing) context.skip(esbuildMissing);
    const { child, url, out } = await start(["--host", "::1", "--port", "0", "--quiet"]).catch(
      (error: Error) => {
        if (/EADDRNOTAVAIL|not available/.test(error.message))
          context.skip("no IPv6 loopback here");
        throw error;
      },
    );
    expect(url).toMatch(/^https:\/\/\[::1\]:\d+$/);
    // No --pod-dir: a temporary service-account folder, removed on exit.
    const podDir = out
      .map((l) => /^ {2}service account: (.+) \(removed on exit\)$/.exec(l)?.[1])
      .find(Boolean);
    expect(podDir).toBeDefined();
    const ca = await readFile(join(podDir as string, "ca.crt"), "utf8");
    const token = await readFile(join(podDir as string, "token"), "utf8");
    // A watch on a quiet resource: its status line comes at once, then nothing until the server stops.
    const watch = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(
        `${url}/api/v1/namespaces/default/configmaps?watch=true`,
        { ca, headers: { authorization: `Bearer ${token}` } },
        resolve,
      );
      req.on("error", reject);
      req.end();
    });
    expect(watch.statusCode).toBe(200);
    const watchClosed = new Promise<void>((resolve) => watch.once("close", () => resolve()));
    watch.on("error", () => {}); // the server ends the connection under it
    watch.resume();

    const code = exited(child);
    child.kill("SIGTERM");
    expect(await code).toBe(0);
    await watchClosed;
    expect(out).toContain("kin-mock-server: SIGTERM, stopping");
    await expect(access(podDir as string)).rejects.toThrow(/ENOENT/);
  });

  it("bad flags: one line on stderr naming the flag, exit 2", (context) => {
    if (esbuildMissing) context.skip(esbuildMissing);
    const unknown = run(["--prot", "1"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe("kin-mock-server: Unknown option '--prot' (see --help)\n");
    const port = run(["--port", "http"]);
    expect(port.status).toBe(2);
    expect(port.stderr).toBe('kin-mock-server: --port: "http" is not a port number (0–65535)\n');
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--kubeconfig <path>");
  });

  it("unreadable or malformed seeds and fault files: one line naming the file, exit 1", (context) => {
    if (esbuildMissing) context.skip(esbuildMissing);
    const missing = run(["--seed", join(work, "nope")]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(
      `kin-mock-server: --seed ${join(work, "nope")}: cannot read (ENOENT)\n`,
    );
    const bad = run(["--seed", join(work, "bad.yaml")]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(
      new RegExp(`^kin-mock-server: --seed ${join(work, "bad.yaml")}:\\d+: not valid YAML: .+\\n$`),
    );
    const faults = run(["--faults", join(work, "bad.yaml")]);
    expect(faults.status).toBe(1);
    expect(faults.stderr).toMatch(/^kin-mock-server: --faults .*bad\.yaml: /);
    const plan = run(["--faults", join(work, "seed", "a.yaml")]);
    expect(plan.status).toBe(1);
    expect(plan.stderr.split("\n")).toHaveLength(2);
  });

  it("a port in use: one line naming the address, exit 1", async (context) => {
    if (esbuildMissing) context.skip(esbuildMissing);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const taken = spawnSync(process.execPath, [cli, "--port", String(port)], {
        encoding: "utf8",
        timeout: 15_000,
      });
      expect(taken.status).toBe(1);
      expect(taken.stderr).toBe(
        `kin-mock-server: --host/--port: cannot listen on 127.0.0.1:${port}: address already in use\n`,
      );
    } finally {
      blocker.close();
    }
  });
});
