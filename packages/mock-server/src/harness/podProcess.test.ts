import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { SERVICE_ACCOUNT_DIR } from "@kin/credentials";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiServer } from "../server/apiServer.js";
import { generateCertificates } from "./certificates.js";
import { createPodEnvironment, type PodEnvironment } from "./podEnvironment.js";
import { mountPlan, podIsolation, SERVICE_NAMES, spawnInPod } from "./podProcess.js";

const isolation = await podIsolation();
if (!isolation.available)
  console.warn(`podProcess tests skipped: no pod isolation here (${isolation.reason})`);

/** The path on the host whose absence shows nothing was created there ("" when the target exists). */
function firstMissing(target: string): string {
  let path = target;
  while (!existsSync(dirname(path)) && dirname(path) !== path) path = dirname(path);
  return existsSync(path) ? "" : path;
}

async function run(
  child: ChildProcess,
): Promise<{ code: number | null; out: string; err: string }> {
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const [code] = (await once(child, "close")) as [number | null];
  return { code, out, err };
}

function lines(child: ChildProcess): () => Promise<string> {
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffer = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const next = waiting.shift();
      if (next) next(line);
      else queue.push(line);
    }
  });
  return () => {
    const line = queue.shift();
    return line === undefined
      ? new Promise((resolve) => waiting.push(resolve))
      : Promise.resolve(line);
  };
}

describe("podIsolation", () => {
  it("answers available, or names what is missing", async () => {
    const answer = await podIsolation();
    if (answer.available) expect(answer).toEqual({ available: true });
    else expect(answer.reason).toMatch(/^(not Linux|not root|unshare)/);
    expect(await podIsolation()).toBe(answer);
  });
});

describe.skipIf(!isolation.available)("spawnInPod", () => {
  let pod: PodEnvironment | undefined;
  let ca = "";
  let hostsBefore: Buffer;
  let missing = "";
  let baseEntries: string[] = [];

  beforeEach(async () => {
    ({ ca } = await generateCertificates());
    const api = createApiServer();
    api.add({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
    pod = await createPodEnvironment({
      host: "10.96.0.1",
      port: 443,
      ca,
      token: "tok-1",
      namespace: "team-a",
    });
    hostsBefore = await readFile("/etc/hosts");
    missing = firstMissing(SERVICE_ACCOUNT_DIR);
    if (missing) expect(existsSync(missing)).toBe(false);
    baseEntries = (await readdir(mountPlan().base)).sort();
  });

  afterEach(async () => {
    await pod?.cleanup();
    pod = undefined;
    // The host is untouched: same /etc/hosts bytes, no service-account folder made, same entries.
    expect((await readFile("/etc/hosts")).equals(hostsBefore)).toBe(true);
    if (missing) expect(existsSync(missing)).toBe(false);
    expect((await readdir(mountPlan().base)).sort()).toEqual(baseEntries);
  });

  const node = (pod: PodEnvironment, script: string, options = {}) =>
    spawnInPod(pod, process.execPath, ["-e", script], options);

  it("shows the pod's service account at the real path, and its env vars", async () => {
    if (!pod) throw new Error("no pod");
    const script = `
      const fs = require("node:fs");
      const dir = ${JSON.stringify(SERVICE_ACCOUNT_DIR)};
      const read = (f) => fs.readFileSync(dir + "/" + f, "utf8");
      console.log(JSON.stringify({
        token: read("token"), ca: read("ca.crt"), namespace: read("namespace"),
        host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT,
        https: process.env.KUBERNETES_SERVICE_PORT_HTTPS, path: process.env.PATH,
        extra: process.env.EXTRA, removed: process.env.REMOVED ?? null,
      }));`;
    process.env.REMOVED = "from the host";
    try {
      const result = await run(node(pod, script, { env: { EXTRA: "yes", REMOVED: undefined } }));
      expect(result.err).toBe("");
      expect(result.code).toBe(0);
      expect(JSON.parse(result.out)).toEqual({
        token: "tok-1",
        ca,
        namespace: "team-a",
        host: "10.96.0.1",
        port: "443",
        https: "443",
        path: process.env.PATH,
        extra: "yes",
        removed: null,
      });
    } finally {
      delete process.env.REMOVED;
    }
  });

  // Only when the folder is missing on the host (a tmpfs then covers its deepest existing ancestor).
  it.skipIf(mountPlan().rest === "")(
    "keeps the entries of the folder it mounts over visible",
    async () => {
      if (!pod) throw new Error("no pod");
      const { base, rest } = mountPlan();
      const script = `console.log(JSON.stringify(require("node:fs").readdirSync(${JSON.stringify(base)})))`;
      const result = await run(node(pod, script));
      expect(result.code).toBe(0);
      expect((JSON.parse(result.out) as string[]).sort()).toEqual(
        [...baseEntries, rest.split("/")[0] ?? ""].sort(),
      );
    },
  );

  it("resolves the service names to 127.0.0.1 by default", async () => {
    if (!pod) throw new Error("no pod");
    const script = `
      const dns = require("node:dns/promises");
      Promise.all(${JSON.stringify(SERVICE_NAMES)}.map((n) => dns.lookup(n)))
        .then((all) => console.log(JSON.stringify(all)));`;
    const result = await run(node(pod, script));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual(
      SERVICE_NAMES.map(() => ({ address: "127.0.0.1", family: 4 })),
    );
  });

  it("resolves kubernetes.default.svc to serviceAddress ::1", async () => {
    if (!pod) throw new Error("no pod");
    const script = `require("node:dns").lookup("kubernetes.default.svc", (e, address, family) =>
      console.log(JSON.stringify(e ? e.message : { address, family })));`;
    const result = await run(node(pod, script, { serviceAddress: "::1" }));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({ address: "::1", family: 6 });
  });

  it("shows a token rotated after the spawn at the real path", async () => {
    if (!pod) throw new Error("no pod");
    const script = `
      const fs = require("node:fs");
      const read = () => fs.readFileSync(${JSON.stringify(join(SERVICE_ACCOUNT_DIR, "token"))}, "utf8");
      console.log(read());
      process.stdin.once("data", () => { console.log(read()); process.exit(0); });`;
    const child = node(pod, script, { stdio: ["pipe", "pipe", "inherit"] });
    const next = lines(child);
    expect(await next()).toBe("tok-1");
    await pod.rotateToken("tok-2");
    child.stdin?.write("\n");
    expect(await next()).toBe("tok-2");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("fails clearly when the command does not exist", async () => {
    if (!pod) throw new Error("no pod");
    const result = await run(spawnInPod(pod, "kin-no-such-command", ["--x"]));
    expect(result.code).toBe(127);
    expect(result.err).toContain("spawnInPod: kin-no-such-command: command not found");
  });

  it("removes its hosts copy when the process exits", async () => {
    if (!pod) throw new Error("no pod");
    const child = node(pod, `console.log(require("node:fs").readFileSync("/etc/hosts", "utf8"))`);
    const result = await run(child);
    expect(result.out).toMatch(/^# kin pod/);
    const work = (child.spawnargs[child.spawnargs.indexOf("kin-pod") + 2] ?? "").replace(
      /\/hosts$/,
      "",
    );
    expect(work).toMatch(/kin-pod-process-/);
    expect(existsSync(work)).toBe(false);
  });

  it("rejects a serviceAddress that is not an IP address", () => {
    if (!pod) throw new Error("no pod");
    expect(() => spawnInPod(pod as PodEnvironment, "true", [], { serviceAddress: "x y" })).toThrow(
      /serviceAddress must be an IP address/,
    );
  });
});

describe.skipIf(isolation.available)("spawnInPod without isolation", () => {
  it("throws with the reason", async () => {
    const pod = { dir: "/nonexistent", env: {} };
    expect(() => spawnInPod(pod, "true", [])).toThrow(/cannot isolate a pod process here: /);
  });
});
