import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { bundleScript } from "../../test/fixtures.js";
import { CredentialsError } from "../errors.js";
import { EXEC_LIMITS, execProvider } from "./exec.js";
import { loadKubeconfig } from "./load.js";
import type { ExecConfig } from "./types.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kin-exec-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Whether `pid` is a live process (not gone, not a zombie waiting to be reaped). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Writes an executable shell script (starts faster than Node) that acts as a credential plugin. */
async function shellPlugin(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

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

  it("names a failing plugin's exit code, and gives its stderr only to onStderr, never to the error", async () => {
    const command = await plugin(
      "broken",
      'process.stderr.write("error: token secret-token-xyz was revoked\\n"); process.exit(3);',
    );
    const stderr: string[] = [];
    const error = await failure(
      execProvider(v1(command), {
        field: "users[u].user.exec",
        onStderr: (text) => stderr.push(text),
      }).token(),
    );
    expect(error.code).toBe("ExecFailed");
    expect(error.source).toBe("users[u].user.exec");
    expect(error.message).toBe(
      `exec plugin ${command} (users[u].user.exec): exited with code 3 (its standard error is not shown: it can hold credentials)`,
    );
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain("secret-token-xyz");
    expect(stderr).toEqual(["error: token secret-token-xyz was revoked\n"]);
    // Without stderr (or only blank lines), nothing is said about it, and onStderr is not called.
    const quiet = await shellPlugin("quiet", "printf '\\n \\n' >&2; exit 4");
    const calls: string[] = [];
    expect(
      (
        await failure(
          execProvider(v1(quiet), { field: "f", onStderr: (t) => calls.push(t) }).token(),
        )
      ).message,
    ).toBe(`exec plugin ${quiet} (f): exited with code 4`);
    expect(calls).toEqual(["\n \n"]);
    // No onStderr: the stderr is dropped, nothing breaks.
    expect((await failure(execProvider(v1(quiet), { field: "f" }).token())).message).toBe(
      `exec plugin ${quiet} (f): exited with code 4`,
    );
    const silent = await shellPlugin("silent", "exit 5");
    await failure(execProvider(v1(silent), { field: "f", onStderr: (t) => calls.push(t) }).token());
    expect(calls).toHaveLength(1);
    const killed = await shellPlugin("killed", "kill -9 $$");
    expect((await failure(execProvider(v1(killed), { field: "f" }).token())).message).toBe(
      `exec plugin ${killed} (f): was killed by SIGKILL`,
    );
  });

  it("stops a plugin that never stops printing (yes) at 1 MiB of output, without crashing", async () => {
    const error = await failure(
      execProvider(v1("yes", { args: [] }), {
        field: "users[u].user.exec",
        env: { PATH: process.env.PATH },
        timeoutMs: 600_000,
      }).token(),
    );
    expect(error).toMatchObject({
      code: "ExecFailed",
      message:
        "exec plugin yes (users[u].user.exec): wrote more than 1048576 bytes to standard output and was stopped (an ExecCredential is small)",
    });
    expect(EXEC_LIMITS.stdoutBytes).toBe(1024 * 1024);
  });

  it("keeps only the last 64 KiB of a plugin's endless stderr, and still stops it at the timeout", async () => {
    const command = await plugin(
      "chatty",
      'process.stderr.write("FIRST\\n"); const line = "x".repeat(1023) + "\\n"; const go = () => process.stderr.write(line.repeat(64), go); go();',
    );
    let delivered: (text: string) => void = () => {};
    const received = new Promise<string>((resolve) => {
      delivered = resolve;
    });
    const error = await failure(
      execProvider(v1(command), { field: "f", timeoutMs: 1_000, onStderr: delivered }).token(),
    );
    expect(error.message).toBe(
      `exec plugin ${command} (f): did not answer within 1000 ms and was stopped`,
    );
    const text = await received;
    expect(text.length).toBe(EXEC_LIMITS.stderrBytes);
    // The last 64 KiB, not the first: the opening line is gone.
    expect(text).toMatch(/^[x\n]+$/);
  });

  it("kills the plugin's whole process group on timeout: a wrapper's child goes too, and Node can exit", async () => {
    const pidFile = join(dir, "sleep.pid");
    const wrapper = join(dir, "wrapper.sh");
    await writeFile(wrapper, `#!/bin/sh\nsleep 600 &\necho $! > "${pidFile}"\nwait\n`);
    await chmod(wrapper, 0o755);
    // In a Node process of its own, which must end by itself once the promise has rejected.
    const script = await bundleScript(
      `import { execProvider } from "@kin/credentials/kubeconfig";
      execProvider({ apiVersion: "client.authentication.k8s.io/v1", command: ${JSON.stringify(wrapper)} },
        { field: "f", timeoutMs: 1000 }).token().then(
        () => console.log("resolved"),
        (e) => console.log(e.message),
      );`,
      dir,
    );
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
    onTestFinished(() => {
      // Should this test fail, nothing it started outlives it.
      child.kill("SIGKILL");
      const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, "utf8") : 0);
      if (pid > 0 && running(pid)) process.kill(pid, "SIGKILL");
    });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect([code, out]).toEqual([
      0,
      `exec plugin ${wrapper} (f): did not answer within 1000 ms and was stopped\n`,
    ]);
    const sleepPid = Number(await readFile(pidFile, "utf8"));
    await expect.poll(() => running(sleepPid)).toBe(false);
  });

  it("kills the whole process group in this process too: the wrapper's child is gone once the call failed", async () => {
    const pidFile = join(dir, "sleep.pid");
    const wrapper = await shellPlugin("wrapper", `sleep 600 &\necho $! > "${pidFile}"\nwait`);
    onTestFinished(() => {
      const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, "utf8") : 0);
      if (pid > 0 && running(pid)) process.kill(pid, "SIGKILL");
    });
    const error = await failure(execProvider(v1(wrapper), { field: "f", timeoutMs: 1000 }).token());
    expect(error.message).toBe(
      `exec plugin ${wrapper} (f): did not answer within 1000 ms and was stopped`,
    );
    const sleepPid = Number(await readFile(pidFile, "utf8"));
    await expect.poll(() => running(sleepPid)).toBe(false);
  });

  it("takes an answer of exactly 1 MiB", async () => {
    const command = await plugin(
      "padded",
      `const s = JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "big" } });
process.stdout.write(s + " ".repeat(1024 * 1024 - s.length));`,
    );
    expect(await execProvider(v1(command), { field: "f" }).token()).toBe("big");
  });

  it("keeps the plugin's arguments out of a start failure (they can hold a client secret)", async () => {
    const error = await failure(
      execProvider(v1(join(dir, "absent"), { args: ["--client-secret=s3cr3t-arg"] }), {
        field: "f",
      }).token(),
    );
    expect(error.message).toBe(`exec plugin ${join(dir, "absent")} (f): cannot be started: ENOENT`);
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain("s3cr3t-arg");
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
        v1(join(dir, "absent"), { installHint: "\n  install it with: brew install thing\n" }),
        { field: "users[u].user.exec" },
      ).token(),
    );
    expect(error.message).toMatch(
      /cannot be started: ENOENT\ninstall it with: brew install thing$/,
    );
  });

  /** A shell plugin (quick to start) that prints $OUT as its answer. */
  const echoing = () => shellPlugin("echo", `printf '%s' "$OUT"`);
  const credential = (status: unknown, extra: object = {}) =>
    JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status,
      ...extra,
    });

  it.each([
    ["not JSON", "hello", "its output is not a JSON ExecCredential"],
    ["JSON but not an object", "[1]", "its output is not a JSON ExecCredential"],
    ["null", "null", "its output is not a JSON ExecCredential"],
    ["the wrong kind", JSON.stringify({ kind: "Pod" }), "its output's kind is not ExecCredential"],
    [
      "another apiVersion than the one asked for",
      credential({ token: "t" }, { apiVersion: "client.authentication.k8s.io/v1beta1" }),
      "its output's apiVersion is not client.authentication.k8s.io/v1, which was asked for",
    ],
    ["no status", credential(undefined), "its output has no status.token"],
    ["a status that is not an object", credential("t"), "its output has no status.token"],
    ["no token", credential({}), "its output has no status.token"],
    ["a token that is not a string", credential({ token: 5 }), "its output has no status.token"],
    ["a blank token", credential({ token: " \n " }), "its status.token is empty"],
    [
      "a token with a newline",
      credential({ token: "ab\ncd" }),
      "its status.token holds a character that cannot be sent in an Authorization header (at position 3; a token is visible ASCII only)",
    ],
    [
      "a client certificate",
      credential({ clientCertificateData: "x", clientKeyData: "y" }),
      "it returned a client certificate, which kin does not support yet (only status.token)",
    ],
    [
      "a client certificate alone",
      credential({ token: "t", clientCertificateData: "x" }),
      "it returned a client certificate, which kin does not support yet (only status.token)",
    ],
    [
      "a client key alone",
      credential({ token: "t", clientKeyData: "y" }),
      "it returned a client certificate, which kin does not support yet (only status.token)",
    ],
    ...["tomorrow", 12345, "2030-01-01", "2030-01-01T00:00:00"].map(
      (time): [string, string, string] => [
        `the expiry ${JSON.stringify(time)}`,
        credential({ token: "t", expirationTimestamp: time }),
        "its status.expirationTimestamp is not an RFC 3339 time",
      ],
    ),
  ])("rejects output that is %s, without quoting it", async (_what, out, message) => {
    const command = await echoing();
    const error = await failure(
      execProvider(v1(command), { field: "users[u].user.exec", env: { OUT: out } }).token(),
    );
    expect(error.message).toBe(`exec plugin ${command} (users[u].user.exec): ${message}`);
  });

  it("trims the token, and takes a null expiry as none", async () => {
    const command = await echoing();
    const token = (out: string) =>
      execProvider(v1(command), { field: "f", env: { OUT: out } }).token();
    expect(await token(credential({ token: "  tok-1 \n" }))).toBe("tok-1");
    expect(await token(credential({ token: "tok-2", expirationTimestamp: null }))).toBe("tok-2");
    expect(
      await token(
        credential({ token: "tok-4", expirationTimestamp: "2999-01-01T00:00:00.123456Z" }),
      ),
    ).toBe("tok-4");
    // v1beta1 answers v1beta1.
    const beta = execProvider(v1(command, { apiVersion: "client.authentication.k8s.io/v1beta1" }), {
      field: "f",
      env: {
        OUT: credential({ token: "tok-3" }, { apiVersion: "client.authentication.k8s.io/v1beta1" }),
      },
    });
    expect(await beta.token()).toBe("tok-3");
  });

  it("reads an expiry with an offset as the instant it names", async () => {
    const counter = join(dir, "count");
    const command = await shellPlugin(
      "counting",
      `n=$(($(cat "${counter}" 2>/dev/null || echo 0) + 1)); echo $n > "${counter}"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t%s","expirationTimestamp":"2030-01-01T01:00:00+01:00"}}' $n`,
    );
    let now = Date.parse("2029-12-31T23:30:00Z");
    const provider = execProvider(v1(command), { field: "f", now: () => now });
    expect(await provider.token()).toBe("t1");
    now = Date.parse("2029-12-31T23:59:59Z");
    expect(await provider.token()).toBe("t1");
    now = Date.parse("2030-01-01T00:00:00Z"); // 01:00+01:00: expired
    expect(await provider.token()).toBe("t2");
  });

  it("gives the cluster to the plugin only when provideClusterInfo is set", async () => {
    const counter = join(dir, "count");
    const command = await plugin("plugin", countingPlugin(undefined));
    const run = async (provideClusterInfo: boolean | undefined) => {
      await execProvider(v1(command, { provideClusterInfo }), {
        field: "f",
        cluster: { server: "https://k.example" },
        env: { PATH: process.env.PATH, COUNTER_FILE: counter },
      }).token();
      return JSON.parse(await readFile(`${counter}.info`, "utf8")).spec;
    };
    expect(await run(false)).toEqual({ interactive: false });
    expect(await run(undefined)).toEqual({ interactive: false });
    expect(await run(true)).toEqual({
      interactive: false,
      cluster: { server: "https://k.example" },
    });
  });

  it("stops a hanging plugin after 30 s when no timeout is given", async () => {
    const command = await shellPlugin("hang", "exec sleep 600");
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      let settled = false;
      const result = failure(execProvider(v1(command), { field: "f" }).token()).finally(() => {
        settled = true;
      });
      await vi.advanceTimersByTimeAsync(29_999);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await result).message).toBe(
        `exec plugin ${command} (f): did not answer within 30000 ms and was stopped`,
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses configs it cannot honour before running anything", () => {
    expect(() =>
      execProvider(v1("x", { apiVersion: "client.authentication.k8s.io/v1alpha1" }), {
        field: "f",
      }),
    ).toThrow(/^f\.apiVersion: "client.authentication.k8s.io\/v1alpha1" is not supported/);
    expect(() => execProvider(v1("x", { interactiveMode: "Always" }), { field: "f" })).toThrow(
      /^f\.interactiveMode: "Always" needs a terminal/,
    );
    expect(() => execProvider(v1(""), { field: "f" })).toThrow(/^f\.command: is required$/);
    expect(() =>
      execProvider({ apiVersion: "client.authentication.k8s.io/v1" } as ExecConfig, { field: "f" }),
    ).toThrow(/^f\.command: is required$/);
    // Programs that call execProvider directly get the kubeconfig's type checks too.
    for (const [odd, message] of [
      [{ args: "--token=abc" }, "f.args: must be a list"],
      [{ env: [{ name: "A" }] }, "f.env[0].value: is required"],
      [
        { interactiveMode: "Sometimes" },
        "f.interactiveMode: must be one of Never, IfAvailable, Always",
      ],
      [{ command: 5 }, "f.command: must be a string"],
    ] as const) {
      let error: unknown;
      try {
        execProvider(v1("x", odd as unknown as Partial<ExecConfig>), { field: "f" });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CredentialsError);
      expect(error).toMatchObject({
        code: "InvalidConfig",
        source: message.split(":")[0],
        message,
      });
    }
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
