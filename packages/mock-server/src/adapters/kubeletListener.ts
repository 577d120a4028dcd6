// A simulated kubelet on its own HTTPS port, for a real kube-apiserver to proxy exec, attach and
// port-forward to: register a Node whose address is this listener's host and whose
// `status.daemonEndpoints.kubeletEndpoint.port` is its port.
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { type Certificates, generateCertificates } from "../harness/certificates.js";
import { KubeletState, type SimulatedKubelet } from "../kubelet/kubelet.js";
import { kubeletAnswer } from "../kubelet/server.js";
import type { HttpsListener, ListenOptions } from "./httpsListener.js";
import { upgrades } from "./upgrades.js";

export interface KubeletListenOptions extends ListenOptions {
  /** Offer `v5.channel.k8s.io` for exec and attach. Default false, as a v1.28 kubelet. */
  remoteCommandV5?: boolean;
}

/** A kubelet listener and the kubelet behind it (port maps, consoles, host processes). */
export interface KubeletListener extends HttpsListener {
  readonly kubelet: SimulatedKubelet;
}

/** Serves a new simulated kubelet's streaming paths over HTTPS (see `src/kubelet/server.ts`). */
export async function listenKubelet(options: KubeletListenOptions = {}): Promise<KubeletListener> {
  const host = options.host ?? "127.0.0.1";
  const certificates: Certificates = options.certificates ?? (await generateCertificates());
  const kubelet = new KubeletState(options.remoteCommandV5 ?? false);
  const server = createHttpsServer(
    { cert: certificates.cert, key: certificates.key },
    (req, res) => {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      res.end(
        "the simulated kubelet speaks WebSocket only: SPDY and plain requests are not simulated",
      );
    },
  );
  const sessions = upgrades(async (req) =>
    kubeletAnswer(
      kubelet,
      new Request(`https://${req.headers.host ?? host}${req.url ?? "/"}`, {
        headers: Object.entries(req.headers).flatMap(([name, value]) =>
          value === undefined
            ? []
            : [[name, Array.isArray(value) ? value.join(", ") : value] as [string, string]],
        ),
      }),
    ),
  );
  server.on("upgrade", sessions.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    host,
    port,
    ca: certificates.ca,
    kubelet,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        sessions.closeAll();
        kubelet.closeAll();
      }),
  };
}
