import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CredentialsError } from "../errors.js";
import { execProvider } from "./exec.js";
import { loadKubeconfig } from "./load.js";
import type { ExecConfig } from "./types.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kin-exec-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Writes an executable Node script that acts as a credential plugin. */
async function plugin(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!${process.execPath}\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

// Counts its runs in a file, echoes KUBERNETES_EXEC_INFO, and answers a token named after the run.
const countingPlugin = (expiry: string | undefined) => `
const fs = require("fs");
const counter = process.env.COUNTER_FILE;
const n = (fs.existsSync(counter) ? Number(fs.readFileSync(counter, "utf8")) : 0) + 1;
fs.writeFileSync(counter, String(n));
fs.writeFileSync(counter + ".info", process.env.KUBERNETES_EXEC_INFO);
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: "ExecCredential",
  status: { token: "token-" + n + "-" + process.argv[2] + "-" + process.env.EXTRA${expiry ? `, expirationTimestamp: ${JSON.stringify(expiry)}` : ""} } }));
`;

const v1 = (command: string, extra: Partial<ExecConfig> = {}): ExecConfig => ({
  apiVersion: "client.authentication.k8s.io/v1",
  command,
  args: ["arg"],
  env: [{ name: "EXTRA", value: "x" }],
  interactiveMode: "Never",
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

describe("execProvider", () => {
  it("runs the plugin with args, env and KUBERNETES_EXEC_INFO, and caches until expiry", async () => {
    const counter = join(dir, "count");
    const command = await plugin("plugin", countingPlugin("2030-01-01T00:00:00Z"));
    let now = Date.parse("2029-12-31T23:00:00Z");
    const provider = execProvider(v1(command, { provideClusterInfo: true }), {
      field: "users[u].user.exec",
      cluster: { server: "https://k.example" },
      env: { PATH: process.env.PATH, COUNTER_FILE: counter },
      now: () => now,
    });
    const [a, b] = await Promise.all([provider.token(), provider.token()]);
    expect(a).toBe("token-1-arg-x");
    expect(b).toBe(a);
    expect(await provider.token()).toBe("token-1-arg-x");
    expect(JSON.parse(await readFile(`${counter}.info`, "utf8"))).toEqual({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      spec: { interactive: false, cluster: { server: "https://k.example" } },
    });
    now = Date.parse("2030-01-01T00:00:01Z");
    expect(await provider.token()).toBe("token-2-arg-x");
  });

  it("runs again after a 401 (invalidate)", async () => {
    const counter = join(dir, "count");
    const command = await plugin("plugin", countingPlugin(undefined));
    const provider = execProvider(
      v1(command, { apiVersion: "client.authentication.k8s.io/v1beta1" }),
      {
        field: "users[u].user.exec",
        env: { PATH: process.env.PATH, COUNTER_FILE: counter },
      },
    );
    expect(await provider.authorization()).toBe("Bearer token-1-arg-x");
    expect(await provider.token()).toBe("token-1-arg-x");
    provider.invalidate();
    expect(await provider.token()).toBe("token-2-arg-x");
    expect(JSON.stringify(provider)).toBe(`{"type":"bearer","command":${JSON.stringify(command)}}`);
  });

  it("surfaces a failing plugin's exit code and stderr", async () => {
    const command = await plugin(
      "broken",
      'process.stderr.write("error: you must log in first\\n"); process.exit(3);',
    );
    const error = await failure(execProvider(v1(command), { field: "users[u].user.exec" }).token());
    expect(error.code).toBe("ExecFailed");
    expect(error.message).toBe(
      `exec plugin ${command} (users[u].user.exec): exited with code 3; stderr: error: you must log in first`,
    );
  });

  it("stops a hanging plugin after the timeout", async () => {
    const command = await plugin("hang", "setInterval(() => {}, 1000);");
    const started = Date.now();
    const error = await failure(
      execProvider(v1(command), { field: "users[u].user.exec", timeoutMs: 300 }).token(),
    );
    expect(error.message).toMatch(/did not answer within 300 ms and was stopped$/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("reports a missing command with its install hint", async () => {
    const error = await failure(
      execProvider(
        v1(join(dir, "absent"), { installHint: "install it with: brew install thing" }),
        { field: "users[u].user.exec" },
      ).token(),
    );
    expect(error.message).toMatch(
      /cannot be started: ENOENT\ninstall it with: brew install thing$/,
    );
  });

  it.each([
    ["not JSON", 'process.stdout.write("hello")', "its output is not a JSON ExecCredential"],
    [
      "the wrong kind",
      'process.stdout.write(JSON.stringify({ kind: "Pod" }))',
      'its output has kind "Pod", not ExecCredential',
    ],
    [
      "no token",
      'process.stdout.write(JSON.stringify({ kind: "ExecCredential", apiVersion: "client.authentication.k8s.io/v1", status: {} }))',
      "its output has no status.token",
    ],
    [
      "a client certificate",
      'process.stdout.write(JSON.stringify({ kind: "ExecCredential", apiVersion: "client.authentication.k8s.io/v1", status: { clientCertificateData: "x", clientKeyData: "y" } }))',
      "it returned a client certificate, which kin does not support yet (only status.token)",
    ],
  ])("rejects output that is %s", async (_what, body, message) => {
    const command = await plugin("odd", body);
    const error = await failure(execProvider(v1(command), { field: "users[u].user.exec" }).token());
    expect(error.message).toBe(`exec plugin ${command} (users[u].user.exec): ${message}`);
  });

  it("refuses configs it cannot honour before running anything", () => {
    expect(() =>
      execProvider(v1("x", { apiVersion: "client.authentication.k8s.io/v1alpha1" }), {
        field: "f",
      }),
    ).toThrow(/apiVersion "client.authentication.k8s.io\/v1alpha1" is not supported/);
    expect(() => execProvider(v1("x", { interactiveMode: "Always" }), { field: "f" })).toThrow(
      /interactiveMode "Always" needs a terminal/,
    );
    expect(() => execProvider(v1(""), { field: "f" })).toThrow(/f: command is required/);
  });
});

describe("exec in a kubeconfig", () => {
  it("resolves a relative command against the kubeconfig's folder and passes cluster info", async () => {
    const counter = join(dir, "count");
    await plugin("get-token", countingPlugin(undefined));
    const file = join(dir, "config");
    await writeFile(
      file,
      `
current-context: c
contexts: [{ name: c, context: { cluster: k, user: u } }]
clusters: [{ name: k, cluster: { server: "https://k.example", tls-server-name: api.k } }]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./get-token
      args: [arg]
      env: [{ name: EXTRA, value: y }]
      provideClusterInfo: true
      interactiveMode: IfAvailable
`,
    );
    const credentials = await loadKubeconfig({
      files: [file],
      env: { PATH: process.env.PATH, COUNTER_FILE: counter },
    });
    expect(await credentials.auth?.authorization()).toBe("Bearer token-1-arg-y");
    expect(JSON.parse(await readFile(`${counter}.info`, "utf8")).spec.cluster).toEqual({
      server: "https://k.example",
      "tls-server-name": "api.k",
    });
  });
});
