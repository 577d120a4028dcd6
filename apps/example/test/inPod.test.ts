import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createPodEnvironment, generateCertificates } from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PODS, type DemoCluster, startDemoCluster } from "../scripts/cluster.js";

// The built app, run as its own process in a simulated pod, as the demo and a real pod run it.
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

function run(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], {
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

describe("the example app in a simulated pod", () => {
  let cluster: DemoCluster;
  beforeAll(async () => {
    if (!existsSync(main))
      throw new Error(`${main} is missing: build the app first (turbo runs build before test)`);
    cluster = await startDemoCluster();
  });
  afterAll(() => cluster.close());

  it("prints the API versions, its namespace and its pods, over verified TLS", async () => {
    const { code, stdout, stderr } = await run(cluster.env);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual([
      "API versions: v1",
      "namespace: demo",
      `pods in demo: ${DEMO_PODS.length}`,
      ...DEMO_PODS.map((name) => `  ${name}\tRunning`),
      "",
    ]);
  });

  it("exits 1 naming the missing variable outside a pod", async () => {
    const { KUBERNETES_SERVICE_HOST: _host, ...env } = cluster.env;
    const { code, stderr } = await run(env);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "kin-example: not running in a cluster: environment variable KUBERNETES_SERVICE_HOST is not set\n",
    );
  });

  it("names the missing service-account token", async () => {
    const { code, stderr } = await run({
      ...cluster.env,
      KIN_SERVICE_ACCOUNT_DIR: `${cluster.pod.dir}-missing`,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^kin-example: not running in a cluster: token file \/.*-missing\/token does not exist\n$/,
    );
  });

  it("refuses a server whose certificate its ca.crt did not sign", async () => {
    const { ca } = await generateCertificates();
    const impostor = await createPodEnvironment({
      host: cluster.pod.env.KUBERNETES_SERVICE_HOST ?? "",
      port: Number(cluster.pod.env.KUBERNETES_SERVICE_PORT),
      ca,
      token: "any",
    });
    const { code, stdout, stderr } = await run({
      ...impostor.env,
      KIN_SERVICE_ACCOUNT_DIR: impostor.dir,
    });
    await impostor.cleanup();
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^kin-example: GET \/api → TLS verification of 127\.0\.0\.1:\d+ failed/);
  });
});
