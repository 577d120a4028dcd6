// Port-forward over WebSocket as the kubelet serves it
// (k8s.io/kubelet/pkg/cri/streaming/portforward/websocket.go, v1.28): for each port a data channel
// (2i) and an error channel (2i+1), each starting with the port as 2 little-endian bytes; the data is
// copied to and from the pod's port as containerd does (once one direction ends, the other gets a
// second to finish); a failure is written as text on the error channel; when every port is done the
// connection closes.
import { connect, type Socket } from "node:net";
import type { StreamUpgrade } from "../http/upgrade.js";
import { ChannelConnection } from "./channels.js";
import { type KubeletState, sandboxId } from "./kubelet.js";

/** The pod a port-forward session reaches. */
export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** How long the other direction may go on once one has ended (containerd's `socat`-like second). */
const LINGER_MS = 1000;

/** A port-forward session for `ports` of `pod`. */
export function portForwardSession(
  kubelet: KubeletState,
  pod: PodRef,
  ports: readonly number[],
): StreamUpgrade {
  return {
    protocols: kubelet.portForwardProtocols,
    serve(ws, protocol) {
      const connection = new ChannelConnection(
        ws,
        protocol,
        ports.flatMap(() => ["readwrite", "write"] as const),
      );
      kubelet.track(connection);
      ports.forEach((port, i) => {
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16LE(port);
        void connection.write(2 * i, prefix);
        void connection.write(2 * i + 1, prefix);
      });
      void Promise.all(
        ports.map((port, i) =>
          forward(kubelet, pod, port, connection, 2 * i).catch((error: unknown) => {
            // The kubelet's wording around the runtime's error (the pod is named by its sandbox id).
            const id = sandboxId(pod.uid);
            const message = `error forwarding port ${port} to pod ${id}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}": ${(error as Error).message}`;
            return connection.write(2 * i + 1, Buffer.from(message));
          }),
        ),
      ).then(() => connection.close());
    },
  };
}

/** Copies between the data channel and the pod's port until both directions are done. */
async function forward(
  kubelet: KubeletState,
  pod: PodRef,
  port: number,
  connection: ChannelConnection,
  channel: number,
): Promise<void> {
  const target = kubelet.portTarget(pod.namespace, pod.name, port);
  const socket = await new Promise<Socket>((resolve, reject) => {
    const refused = (detail: string) =>
      new Error(
        `failed to connect to localhost:${port} inside namespace "${sandboxId(pod.uid)}", IPv4: dial tcp4 127.0.0.1:${port}: ${detail} IPv6 dial tcp6: address localhost: no suitable address found `,
      );
    if (!target) return reject(refused("connect: connection refused"));
    const s = connect(target.port, target.host ?? "127.0.0.1");
    s.once("connect", () => resolve(s));
    s.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        refused(error.code === "ECONNREFUSED" ? "connect: connection refused" : error.message),
      ),
    );
  });
  socket.on("error", () => {});
  const fromClient = (async () => {
    for await (const chunk of connection.reader(channel)) {
      if (!socket.write(chunk as Buffer)) {
        await new Promise((resolve) => {
          socket.once("drain", resolve);
          socket.once("close", resolve);
        });
      }
      if (socket.destroyed) break;
    }
    socket.end();
  })();
  const toClient = (async () => {
    for await (const chunk of socket) await connection.write(channel, chunk as Buffer);
  })().catch(() => {});
  await Promise.race([fromClient, toClient]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all([fromClient, toClient]),
    new Promise((resolve) => {
      timer = setTimeout(resolve, LINGER_MS);
    }),
  ]);
  clearTimeout(timer);
  socket.destroy();
}
