// The simulated kubelet on its own port, as a real kube-apiserver reaches it (the kubelet's paths and
// the options the apiserver sends: input/output/error/tty=1, command repeated, port).
import { once } from "node:events";
import { type AddressInfo, createServer } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type KubeletListener, listenKubelet } from "../src/adapters/kubeletListener.js";

let kubelet: KubeletListener;
beforeAll(async () => {
  kubelet = await listenKubelet();
});
afterAll(() => kubelet.close());

async function messages(path: string, protocols = ["v4.channel.k8s.io"]) {
  const ws = new WebSocket(`${kubelet.url.replace("https", "wss")}${path}`, protocols, {
    ca: kubelet.ca,
  });
  const seen: string[] = [];
  ws.on("message", (data: Buffer) => seen.push(`${data[0]}:${data.subarray(1)}`));
  await once(ws, "open");
  await once(ws, "close");
  return seen;
}

it("serves /exec/{namespace}/{pod}/{container} with the apiserver's options", async () => {
  expect(
    await messages("/exec/default/web/app?command=sh&command=-c&command=echo+$HOSTNAME&output=1"),
  ).toEqual(["1:", "1:web\n", '3:{"metadata":{},"status":"Success"}']);
});

it("serves /portForward/{namespace}/{pod} with `port`", async () => {
  const server = createServer((socket) => socket.end("pong"));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  kubelet.kubelet.forwardPort("default", "web", 80, {
    port: (server.address() as AddressInfo).port,
  });
  const seen = await messages("/portForward/default/web?port=80");
  expect(seen.filter((m) => m.startsWith("0:")).join("")).toContain("pong");
  server.close();
});

it("answers the kubelet's refusals", async () => {
  const ws = new WebSocket(
    `${kubelet.url.replace("https", "wss")}/exec/default/web/app?command=true`,
    ["v4.channel.k8s.io"],
    { ca: kubelet.ca },
  );
  ws.on("error", () => {});
  const [, response] = (await once(ws, "unexpected-response")) as [
    unknown,
    NodeJS.ReadableStream & { statusCode: number },
  ];
  let body = "";
  for await (const chunk of response) body += chunk.toString();
  expect([response.statusCode, body]).toEqual([
    400,
    "you must specify at least 1 of stdin, stdout, stderr",
  ]);
});
