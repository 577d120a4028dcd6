import { createHash, randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import {
  type ApiServer,
  createApiServer,
  credentialsFor,
  type HttpsListener,
  listen,
} from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createClient, KubeApiError, Pod, RequestAbortedError } from "../src/index.js";

// exec and attach against the mock server's simulated kubelet, over its HTTPS listener: once as
// kube-apiserver 1.28 (v4.channel.k8s.io), once as a server that offers v5 (stdin half-close).
const NAMESPACE = "demo";

function seed(api: ApiServer) {
  api.seed([
    { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } },
    { apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: NAMESPACE },
      spec: {
        nodeName: "node-1",
        containers: [{ name: "app", env: [{ name: "MODE", value: "fast" }] }, { name: "sidecar" }],
      },
      status: {
        phase: "Running",
        containerStatuses: [
          { name: "app", state: { running: {} } },
          { name: "sidecar", state: { running: {} } },
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "pending", namespace: NAMESPACE },
      spec: { nodeName: "node-1", containers: [{ name: "app" }] },
    },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "unscheduled", namespace: NAMESPACE },
      spec: { containers: [{ name: "app" }] },
    },
  ] as never);
}

async function text(stream: Readable | null): Promise<string> {
  let out = "";
  for await (const chunk of stream ?? []) out += chunk.toString();
  return out;
}

const waitFor = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

interface Server {
  api: ApiServer;
  listener: HttpsListener;
  client: Client;
}
async function start(v5: boolean): Promise<Server> {
  const api = createApiServer({ remoteCommandV5: v5 });
  seed(api);
  const listener = await listen(api);
  const client = await createClient({
    credentials: credentialsFor(listener, api.issueToken(), NAMESPACE),
    rateLimit: false,
  });
  return { api, listener, client };
}
async function stop({ api, listener, client }: Server) {
  await client.close();
  await listener.close();
  api.close();
}

describe.each([
  ["kube-apiserver 1.28 (v4)", false, "v4.channel.k8s.io"],
  ["a server offering v5", true, "v5.channel.k8s.io"],
])("exec against %s", (_name, v5, protocol) => {
  let server: Server;
  beforeAll(async () => {
    server = await start(v5);
  });
  afterAll(() => stop(server));
  const pods = () => server.client.api(Pod);

  it("negotiates the protocol, separates stdout from stderr and reports exit code 0", async () => {
    const session = await pods().exec(
      "web",
      ["sh", "-c", 'echo "to out"; echo "to err" >&2; echo $MODE; printf "%s-%d\\n" a 7'],
      { container: "app" },
    );
    expect(session.protocol).toBe(protocol);
    expect(session.stdin).toBeNull();
    const [stdout, stderr] = await Promise.all([text(session.stdout), text(session.stderr)]);
    expect(stdout).toBe("to out\nfast\na-7\n");
    expect(stderr).toBe("to err\n");
    expect(await session.result).toEqual({ exitCode: 0 });
    await waitFor(() => server.api.kubelet.sessions === 0);
  });

  it.each([1, 3, 137])("reports exit code %i from the status channel", async (code) => {
    const session = await pods().exec("web", ["sh", "-c", `echo bye; exit ${code}`], {
      container: "app",
    });
    expect(await text(session.stdout)).toBe("bye\n");
    expect(await session.result).toEqual({ exitCode: code });
  });

  it("throws the failure Status of a command that cannot start", async () => {
    const session = await pods().exec("web", ["no-such-tool"], { container: "app" });
    const error = (await session.result.catch((e: unknown) => e)) as KubeApiError;
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.code).toBe(500);
    expect(error.reason).toBe("InternalError");
    expect(error.status.message).toMatch(
      /^Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-tool": executable file not found in \$PATH: unknown$/,
    );
    expect(error.message).toMatch(/^GET \/api\/v1\/namespaces\/demo\/pods\/web\/exec → 500/);
  });

  it("writes stdin; `head -c` ends by itself on either protocol", async () => {
    const session = await pods().exec("web", ["head", "-c", "11"], {
      container: "app",
      stdin: true,
      stderr: false,
    });
    session.stdin?.write("hello ");
    session.stdin?.write("world and more");
    expect(await text(session.stdout)).toBe("hello world");
    expect(await session.result).toEqual({ exitCode: 0 });
  });

  it("sets the terminal size with tty, and the output is the terminal's", async () => {
    const session = await pods().exec("web", ["sh"], {
      container: "app",
      stdin: true,
      tty: true,
      terminalSize: { width: 100, height: 40 },
    });
    expect(session.stderr).toBeNull();
    let output = "";
    session.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    session.stdin?.write("stty size\n");
    await waitFor(() => output.includes("40 100\r\n"));
    await session.resize({ width: 132, height: 50 });
    session.stdin?.write("stty size; exit 4\n");
    expect(await session.result).toEqual({ exitCode: 4 });
    expect(output).toBe("40 100\r\n50 132\r\n");
  });

  it("aborts mid-stream: the result rejects and no session or socket is left", async () => {
    const controller = new AbortController();
    const session = await pods().exec("web", ["sh", "-c", "echo started; sleep 3600"], {
      container: "app",
      signal: controller.signal,
    });
    const reader = session.stdout?.[Symbol.asyncIterator]();
    expect(String((await reader?.next())?.value)).toBe("started\n");
    expect(server.api.kubelet.sessions).toBe(1);
    controller.abort();
    const error = await session.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestAbortedError);
    await waitFor(() => server.api.kubelet.sessions === 0);
    // The stream ends (it never errors): the reason is in `result`.
    expect((await reader?.next())?.done).toBe(true);
  });

  it("close() ends a session early the same way", async () => {
    const session = await pods().exec("web", ["sleep", "3600"], { container: "app" });
    await session.close();
    await expect(session.result).rejects.toBeInstanceOf(RequestAbortedError);
    await waitFor(() => server.api.kubelet.sessions === 0);
  });

  it("refuses before upgrading: unknown pod, unknown container, no container named, not running", async () => {
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => {
          throw new Error("expected a failure");
        },
        (e: unknown) => e as KubeApiError,
      );
    const missing = await failure(pods().exec("nope", ["true"]));
    expect(missing).toBeInstanceOf(KubeApiError);
    expect(missing.message).toBe(
      'GET /api/v1/namespaces/demo/pods/nope/exec?command=true&stdout=true&stderr=true → 404 NotFound: pods "nope" not found',
    );
    const container = await failure(pods().exec("web", ["true"], { container: "db" }));
    expect([container.code, container.status.message]).toEqual([
      400,
      "container db is not valid for pod web",
    ]);
    const ambiguous = await failure(pods().exec("web", ["true"]));
    expect(ambiguous.status.message).toBe(
      "a container name must be specified for pod web, choose one of: [app sidecar]",
    );
    const pending = await failure(pods().exec("pending", ["true"]));
    expect([pending.code, pending.status.message]).toEqual([500, 'container not found ("app")']);
    const unscheduled = await failure(pods().exec("unscheduled", ["true"]));
    expect([unscheduled.code, unscheduled.status.message]).toEqual([
      400,
      "pod unscheduled does not have a host assigned",
    ]);
  });

  it("checks its own arguments before any request", async () => {
    await expect(pods().exec("web", [])).rejects.toThrow("the command is empty");
    await expect(pods().exec("web", ["true"], { tty: true, stderr: true })).rejects.toThrow(
      /merges stderr/,
    );
    await expect(pods().exec("web", ["true"], { stdout: false, stderr: false })).rejects.toThrow(
      /at least one/,
    );
    await expect(pods().exec("../x", ["true"])).rejects.toThrow();
  });

  it("attaches to the container's process: output, input, and its exit", async () => {
    const console = server.api.kubelet.console(NAMESPACE, "web", "app");
    const inputs: string[] = [];
    console.onInput((data) => {
      inputs.push(data.toString());
      console.write(`got ${data}`);
    });
    const session = await pods().attach("web", { container: "app", stdin: true });
    await waitFor(() => console.attached === 1);
    let output = "";
    session.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    console.write("log line\n");
    console.write("warning\n", "stderr");
    session.stdin?.write("ping");
    const stderr = text(session.stderr);
    await waitFor(() => output === "log line\ngot ping");
    expect(inputs).toEqual(["ping"]);
    console.exit();
    expect(await session.result).toEqual({ exitCode: 0 });
    expect(await stderr).toBe("warning\n");
  });
});

describe("exec with v5", () => {
  let server: Server;
  beforeAll(async () => {
    server = await start(true);
  });
  afterAll(() => stop(server));

  // A generous limit guards against a hang only: 64 MB take seconds, more on a loaded machine.
  it("half-closes stdin: cat ends when stdin ends, 64 MB intact, memory bounded", {
    timeout: 180_000,
  }, async () => {
    const session = await server.client
      .api(Pod)
      .exec("web", ["cat"], { container: "app", stdin: true, stderr: false });
    const total = 64 * 1024 * 1024;
    const sent = createHash("sha256");
    const received = createHash("sha256");
    let receivedBytes = 0;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const reading = (async () => {
      for await (const chunk of session.stdout ?? []) {
        received.update(chunk as Buffer);
        receivedBytes += (chunk as Buffer).length;
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }
    })();
    const chunk = randomBytes(1024 * 1024);
    for (let sentBytes = 0; sentBytes < total; sentBytes += chunk.length) {
      sent.update(chunk);
      if (!session.stdin?.write(chunk))
        await new Promise((resolve) => session.stdin?.once("drain", resolve));
    }
    session.stdin?.end();
    await reading;
    expect(await session.result).toEqual({ exitCode: 0 });
    expect(receivedBytes).toBe(total);
    expect(received.digest("hex")).toBe(sent.digest("hex"));
    // Streamed, not buffered: growth stays well below what went through (both ends are in this process).
    expect(rssPeak - rssBefore).toBeLessThan(total);
  });

  it("sha256sum sees every byte of stdin", async () => {
    const session = await server.client
      .api(Pod)
      .exec("web", ["sha256sum"], { container: "app", stdin: true });
    const data = randomBytes(3 * 1024 * 1024 + 17);
    session.stdin?.end(data);
    expect(await text(session.stdout)).toBe(
      `${createHash("sha256").update(data).digest("hex")}  -\n`,
    );
    expect(await session.result).toEqual({ exitCode: 0 });
  });
});

describe("exec under RBAC", () => {
  it("is authorized as `get` on pods/exec for the WebSocket GET, with the real 403", async () => {
    const api = createApiServer({ rbac: true });
    seed(api);
    api.seed([
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "exec", namespace: NAMESPACE },
        rules: [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["get"] }],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "exec", namespace: NAMESPACE },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "exec" },
        subjects: [{ kind: "User", name: "runner" }],
      },
    ] as never);
    const listener = await listen(api);
    const allowed = await createClient({
      credentials: credentialsFor(
        listener,
        api.issueToken({ user: "runner", groups: [] }),
        NAMESPACE,
      ),
      rateLimit: false,
    });
    const denied = await createClient({
      credentials: credentialsFor(
        listener,
        api.issueToken({ user: "viewer", groups: [] }),
        NAMESPACE,
      ),
      rateLimit: false,
    });
    const session = await allowed.api(Pod).exec("web", ["echo", "ok"], { container: "app" });
    expect(await text(session.stdout)).toBe("ok\n");
    expect(await session.result).toEqual({ exitCode: 0 });
    const error = (await denied
      .api(Pod)
      .exec("web", ["echo", "ok"], { container: "app" })
      .catch((e: unknown) => e)) as KubeApiError;
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.isForbidden()).toBe(true);
    expect(error.status.message).toBe(
      'pods "web" is forbidden: User "viewer" cannot get resource "pods/exec" in API group "" in the namespace "demo"',
    );
    await allowed.close();
    await denied.close();
    await listener.close();
    api.close();
  });
});
