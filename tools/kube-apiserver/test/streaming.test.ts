// @kin/client's exec and port-forward through the real kube-apiserver v1.28 to the mock server's
// simulated kubelet on its own port (`listenKubelet`): the apiserver authorizes, checks the pod and
// container, and proxies the WebSocket upgrade to the Node's kubelet endpoint, as in a cluster.
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server } from "node:net";
import { type Client, createClient, KubeApiError, Node, Pod } from "@kin/client";
import { Redacted } from "@kin/credentials";
import { credentialsFor, type KubeletListener, listenKubelet } from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type KubeApiServer, startKubeApiServer } from "../src/kubeApiServer.js";

const { binaries, skip } = inject("kubeApiServer");

describe.skipIf(skip !== undefined)("exec and port-forward through a real kube-apiserver", () => {
  let server: KubeApiServer;
  let kubelet: KubeletListener;
  let client: Client;
  let echo: Server;
  beforeAll(async () => {
    server = await startKubeApiServer({ binaries, controllerManager: false });
    kubelet = await listenKubelet();
    client = await createClient({
      credentials: credentialsFor(server, server.adminToken),
      rateLimit: false,
    });
    const node = await client.api(Node).create({ metadata: { name: "node-1" } });
    // The apiserver reaches the kubelet at the Node's address and kubelet port.
    await client.api(Node).replaceStatus({
      ...node,
      status: {
        addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
        daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } },
      },
    });
    await client.api(Pod, { namespace: "default" }).create({
      metadata: { name: "web" },
      spec: { nodeName: "node-1", containers: [{ name: "app", image: "busybox" }] },
    });
    echo = createServer((socket) => {
      socket.on("error", () => {});
      socket.pipe(socket);
    });
    echo.listen(0, "127.0.0.1");
    await once(echo, "listening");
    kubelet.kubelet.forwardPort("default", "web", 7, {
      port: (echo.address() as AddressInfo).port,
    });
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await kubelet?.close();
    echo?.close();
    await server?.stop();
  });
  const pods = () => client.api(Pod, { namespace: "default" });

  it("exec: v4 negotiated end to end, stdout and stderr apart, the exit code", async () => {
    const session = await pods().exec("web", ["sh", "-c", "echo out; echo err >&2; exit 3"]);
    expect(session.protocol).toBe("v4.channel.k8s.io");
    const [stdout, stderr] = await Promise.all([
      new Response(session.stdout).text(),
      new Response(session.stderr).text(),
    ]);
    expect([stdout, stderr, await session.result]).toEqual(["out\n", "err\n", { exitCode: 3 }]);
  });

  it("exec: the apiserver's refusal for an unknown container is the mock server's", async () => {
    const error = (await pods()
      .exec("web", ["true"], { container: "nope" })
      .catch((e: unknown) => e)) as KubeApiError;
    expect(error).toBeInstanceOf(KubeApiError);
    expect([error.code, error.status.message]).toEqual([
      400,
      "container nope is not valid for pod web",
    ]);
  });

  it("exec: a WebSocket GET is authorized as `get` on pods/exec, with the same 403 as the mock's", async () => {
    await client.raw.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "exec-get" },
      rules: [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["get"] }],
    });
    await client.raw.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "exec-get" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "exec-get" },
      subjects: [{ kind: "User", name: "runner", apiGroup: "rbac.authorization.k8s.io" }],
    });
    const as = async (user: string) => {
      const cert = await server.issueClientCertificate({ user });
      return createClient({
        credentials: {
          ...credentialsFor(server, "unused"),
          auth: undefined,
          clientCert: cert.cert,
          clientKey: new Redacted(cert.key),
        },
        rateLimit: false,
      });
    };
    const runner = await as("runner");
    const viewer = await as("viewer");
    try {
      // The authorizer's cache may lag the new binding by a moment.
      let session: Awaited<ReturnType<ReturnType<typeof pods>["exec"]>> | undefined;
      for (let i = 0; !session; i++) {
        session = await runner
          .api(Pod, { namespace: "default" })
          .exec("web", ["echo", "allowed"])
          .catch((error: unknown) => {
            if (i > 50 || !(error instanceof KubeApiError && error.isForbidden())) throw error;
            return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100));
          });
      }
      expect(await new Response(session.stdout).text()).toBe("allowed\n");
      const denied = (await viewer
        .api(Pod, { namespace: "default" })
        .exec("web", ["echo", "x"])
        .catch((e: unknown) => e)) as KubeApiError;
      expect(denied.status.message).toBe(
        'pods "web" is forbidden: User "viewer" cannot get resource "pods/exec" in API group "" in the namespace "default"',
      );
    } finally {
      await runner.close();
      await viewer.close();
    }
  });

  it("port-forward: 20 concurrent connections with checksums, and the error channel", async () => {
    const errors: string[] = [];
    const forward = await pods().portForward("web", [7, 9999], {
      onError: (error) => errors.push(error.message),
    });
    const [echoPort, refused] = forward.ports;
    const payloads = Array.from({ length: 20 }, (_, i) => randomBytes(64 * 1024 + i));
    const answers = await Promise.all(
      payloads.map(async (payload) => {
        const socket = connect(echoPort?.local ?? 0, "127.0.0.1");
        await once(socket, "connect");
        socket.write(payload);
        const chunks: Buffer[] = [];
        let length = 0;
        for await (const chunk of socket) {
          chunks.push(chunk as Buffer);
          length += (chunk as Buffer).length;
          if (length >= payload.length) break;
        }
        socket.destroy();
        return Buffer.concat(chunks);
      }),
    );
    const digest = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(answers.map(digest)).toEqual(payloads.map(digest));
    const socket = connect(refused?.local ?? 0, "127.0.0.1");
    socket.on("error", () => {});
    await once(socket, "close");
    while (errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors[0]).toMatch(
      /portforward\?ports=9999 → error forwarding port 9999 to pod [0-9a-f]{64}, uid : .*connect: connection refused/,
    );
    await forward.close();
  });
});
