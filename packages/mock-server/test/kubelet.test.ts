// The simulated kubelet at the wire, with the `ws` client (not kin's): subprotocol choice, the channel
// formats of each protocol, the refusals before and at the upgrade.
import { once } from "node:events";
import { type AddressInfo, createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type HttpsListener, listen } from "../src/adapters/httpsListener.js";
import { type ApiServer, createApiServer } from "../src/server/apiServer.js";

let api: ApiServer;
let listener: HttpsListener;
let token: string;
const log: string[] = [];

beforeAll(async () => {
  api = createApiServer({ log: (line) => log.push(line) });
  token = api.issueToken();
  api.seed([
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } },
    { apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "demo" },
      spec: { nodeName: "node-1", containers: [{ name: "c" }] },
      status: { phase: "Running" },
    },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "orphan", namespace: "demo" },
      spec: { nodeName: "gone", containers: [{ name: "c" }] },
      status: { phase: "Running" },
    },
  ] as never);
  listener = await listen(api);
});
afterAll(async () => {
  await listener.close();
  api.close();
});

const path = (pod: string, sub: string, query: string) =>
  `/api/v1/namespaces/demo/pods/${pod}/${sub}?${query}`;

/** Opens a WebSocket and collects its messages until the server closes it. */
async function session(
  target: string,
  protocols: string[],
  send: (ws: WebSocket) => void = () => {},
): Promise<{ protocol: string; messages: (Buffer | string)[] }> {
  const ws = new WebSocket(`wss://127.0.0.1:${listener.port}${target}`, protocols, {
    ca: listener.ca,
    headers: { authorization: `Bearer ${token}` },
  });
  const messages: (Buffer | string)[] = [];
  ws.on("message", (data: Buffer, binary) => messages.push(binary ? data : data.toString()));
  await once(ws, "open");
  send(ws);
  await once(ws, "close");
  return { protocol: ws.protocol, messages };
}

/** The HTTP answer to an upgrade that is refused. */
async function refusal(target: string, protocols: string[] = ["v4.channel.k8s.io"]) {
  const ws = new WebSocket(`wss://127.0.0.1:${listener.port}${target}`, protocols, {
    ca: listener.ca,
    headers: { authorization: `Bearer ${token}` },
  });
  ws.on("error", () => {});
  const [, response] = (await once(ws, "unexpected-response")) as [
    unknown,
    NodeJS.ReadableStream & { statusCode: number; headers: Record<string, string> },
  ];
  let body = "";
  for await (const chunk of response) body += chunk.toString();
  return { code: response.statusCode, type: response.headers["content-type"], body };
}

describe("exec at the wire", () => {
  it("v4: the connected message, output, and the status as JSON without kind", async () => {
    const { protocol, messages } = await session(
      path("web", "exec", "command=sh&command=-c&command=echo+hi&stdout=1"),
      ["v5.channel.k8s.io", "v4.channel.k8s.io"],
    );
    expect(protocol).toBe("v4.channel.k8s.io");
    expect(messages.map((m) => [(m as Buffer)[0], (m as Buffer).subarray(1).toString()])).toEqual([
      [1, ""],
      [1, "hi\n"],
      [3, '{"metadata":{},"status":"Success"}'],
    ]);
    expect(log.at(-1)).toMatch(
      /^GET \/api\/v1\/namespaces\/demo\/pods\/web\/exec\?command=sh&command=-c&command=echo\+hi&stdout=1 → 101 \(WebSocket\) \(\d+ ms\)$/,
    );
  });

  it("v4.base64: text frames with the channel as a digit", async () => {
    // `cat` needs stdin's end, which v4 cannot send: closing the socket ends the session instead.
    const ws = new WebSocket(
      `wss://127.0.0.1:${listener.port}${path("web", "exec", "command=cat&stdin=true&stdout=true")}`,
      ["v4.base64.channel.k8s.io"],
      { ca: listener.ca, headers: { authorization: `Bearer ${token}` } },
    );
    const seen: string[] = [];
    ws.on("message", (data: Buffer) => seen.push(data.toString()));
    await once(ws, "open");
    ws.send(`0${Buffer.from("abc").toString("base64")}`);
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(["1", `1${Buffer.from("abc").toString("base64")}`]);
    ws.close();
    await once(ws, "close");
  });

  it("channel.k8s.io (before v4): only a failure is written, as text", async () => {
    const { messages } = await session(
      path("web", "exec", "command=sh&command=-c&command=exit+2&stdout=1"),
      ["channel.k8s.io"],
    );
    expect(messages.map((m) => (m as Buffer).subarray(1).toString())).toEqual([
      "",
      "command terminated with non-zero exit code: error executing command [sh -c exit 2], exit code 2",
    ]);
  });

  it("v5 when offered: the CLOSE signal ends stdin", async () => {
    const v5 = createApiServer({ remoteCommandV5: true });
    v5.seed([
      { apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } },
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "web", namespace: "default" },
        spec: { nodeName: "node-1", containers: [{ name: "c" }] },
        status: { phase: "Running" },
      },
    ] as never);
    const v5Listener = await listen(v5);
    const ws = new WebSocket(
      `wss://127.0.0.1:${v5Listener.port}/api/v1/namespaces/default/pods/web/exec?command=wc&command=-c&stdin=1&stdout=1`,
      ["v5.channel.k8s.io", "v4.channel.k8s.io"],
      { ca: v5Listener.ca, headers: { authorization: `Bearer ${v5.issueToken()}` } },
    );
    const seen: string[] = [];
    ws.on("message", (data: Buffer) => seen.push(`${data[0]}:${data.subarray(1)}`));
    await once(ws, "open");
    expect(ws.protocol).toBe("v5.channel.k8s.io");
    ws.send(Buffer.from("\x0012345"));
    ws.send(Buffer.from([255, 0]));
    await once(ws, "close");
    expect(seen).toEqual(["1:", "1:5\n", '3:{"metadata":{},"status":"Success"}']);
    await v5Listener.close();
    v5.close();
  });

  it("refuses as the apiserver and the kubelet do", async () => {
    expect(
      await refusal(path("web", "exec", "command=true&stdout=1"), ["v9.channel.k8s.io"]),
    ).toEqual({ code: 403, type: undefined, body: "" });
    const noStreams = await refusal(path("web", "exec", "command=true"));
    expect(noStreams).toMatchObject({
      code: 400,
      body: "you must specify at least 1 of stdin, stdout, stderr",
    });
    const node = await refusal(path("orphan", "exec", "command=true&stdout=1"));
    expect(node.code).toBe(404);
    expect(JSON.parse(node.body).message).toBe('nodes "gone" not found');
    const ports = await refusal(path("web", "portforward", "ports=http"));
    expect(JSON.parse(ports.body).message).toBe(
      'cannot convert to []int32: strconv.ParseUint: parsing "http": invalid syntax',
    );
    const noPorts = await refusal(path("web", "portforward", ""));
    expect(noPorts).toMatchObject({ code: 400, body: 'query parameter "ports" is required' });
  });

  it("answers a plain request with 400 Upgrade request required, and a SPDY upgrade with 400", async () => {
    const response = await api.handle(
      new Request(`https://x${path("web", "exec", "command=true&stdout=1")}`, {
        headers: { authorization: `Bearer ${token}` },
      }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: "Upgrade request required" });
    const spdy = await api.handle(
      new Request(`https://x${path("web", "exec", "command=true&stdout=1")}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, connection: "Upgrade", upgrade: "SPDY/3.1" },
      }),
    );
    expect(spdy.status).toBe(400);
    expect(await spdy.text()).toMatch(/WebSocket only/);
  });
});

describe("real processes for a marked pod", () => {
  it("runs argv on the host with the container's env, its streams and exit code; others stay simulated", async () => {
    const undo = api.kubelet.runOnHost("demo", "web");
    const command = [
      "node",
      "-e",
      "process.stdout.write(process.env.HOSTNAME); process.stderr.write('e'); process.exit(4)",
    ]
      .map((word) => `command=${encodeURIComponent(word)}`)
      .join("&");
    const { messages } = await session(path("web", "exec", `${command}&stdout=1&stderr=1`), [
      "v4.channel.k8s.io",
    ]);
    const text = (channel: number) =>
      messages
        .filter((m) => (m as Buffer)[0] === channel)
        .map((m) => (m as Buffer).subarray(1).toString())
        .join("");
    expect([text(1), text(2)]).toEqual(["web", "e"]);
    expect(JSON.parse(text(3))).toMatchObject({
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "4" }] },
    });
    undo();
    const simulated = await session(path("web", "exec", `${command}&stdout=1`), [
      "v4.channel.k8s.io",
    ]);
    expect(String((simulated.messages.at(-1) as Buffer).subarray(1))).toMatch(
      /executable file not found in \$PATH/,
    );
  });
});

describe("port-forward at the wire", () => {
  it("prefixes both channels with the port, little-endian, then carries the data", async () => {
    const server = createServer((socket) => socket.end("hello from the pod"));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const undo = api.kubelet.forwardPort("demo", "web", 258, {
      port: (server.address() as AddressInfo).port,
    });
    const { protocol, messages } = await session(path("web", "portforward", "ports=258"), [
      "v4.channel.k8s.io",
    ]);
    expect(protocol).toBe("v4.channel.k8s.io");
    const byChannel = (channel: number) =>
      Buffer.concat(
        messages.filter((m) => (m as Buffer)[0] === channel).map((m) => (m as Buffer).subarray(1)),
      );
    expect([...byChannel(1)]).toEqual([2, 1]);
    expect([...byChannel(0).subarray(0, 2)]).toEqual([2, 1]);
    expect(byChannel(0).subarray(2).toString()).toBe("hello from the pod");
    undo();
    server.close();
  });
});
