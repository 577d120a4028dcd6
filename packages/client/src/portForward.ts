// Port-forward (`…/pods/<name>/portforward`) over WebSocket: a local TCP listener per port; each
// local connection gets its own WebSocket (the kubelet serves one set of ports per connection), whose
// data channel 0 and error channel 1 each start with the port as 2 little-endian bytes. Errors the
// server writes on the error channel end that connection and are reported.
import { once, setMaxListeners } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import {
  StreamError,
  type Transport,
  type TransportError,
  type WebSocketConnection,
} from "@kin/transport";
import { BoundedText, type ChannelSink, demultiplex, V4 } from "./channels.js";

/** A port to forward: the pod's port, and the local one (default: any free port). */
export type PortSpec = number | { remote: number; local?: number };

/** A forwarded port once listening. */
export interface ForwardedPort {
  /** The pod's port. */
  readonly remote: number;
  /** The local port connections go to. */
  readonly local: number;
  /** The local address it listens on. */
  readonly address: string;
}

/** Which connection an error is about. */
export interface ForwardedConnection {
  readonly remote: number;
  readonly local: number;
}

/** Options of `portForward`. */
export interface PortForwardOptions {
  /** The local address to listen on. Default `127.0.0.1` (loopback only). */
  address?: string;
  /** Stops forwarding: the listeners close and every connection is ended. */
  signal?: AbortSignal;
  /** Timeout of each connection's WebSocket handshake in milliseconds. */
  timeoutMs?: number;
  /**
   * Called for each connection that failed: the server refused it (`KubeApiError`), the pod's port
   * refused it (`StreamError` with the kubelet's message from the error channel), or the connection
   * broke. That local connection is closed; the others go on. Default: a process warning.
   */
  onError?: (error: TransportError, connection: ForwardedConnection) => void;
}

/** Forwarding in progress. */
export interface PortForward {
  readonly ports: readonly ForwardedPort[];
  /** Local connections open now. */
  readonly connections: number;
  /** Stops: closes the listeners and every connection; resolves when all are closed. */
  close(): Promise<void>;
  /** Settles once everything is closed (after `close()` or the signal). */
  readonly closed: Promise<void>;
}

const DATA = 0;
const ERROR = 1;
/** Bytes queued on a local socket before the WebSocket's reader waits for it. */
const SOCKET_QUEUE_BYTES = 256 * 1024;
/** The kubelet's error message is one line; keep at most this much of it. */
const MAX_ERROR_BYTES = 16 * 1024;

/** Starts forwarding `ports` of the pod at `podPath` (`/api/v1/namespaces/<ns>/pods/<name>`). */
export async function portForward(
  transport: Transport,
  podPath: string,
  ports: readonly PortSpec[],
  options: PortForwardOptions = {},
): Promise<PortForward> {
  if (ports.length === 0) throw new TypeError("name at least one port to forward");
  const specs = ports.map((spec) => (typeof spec === "number" ? { remote: spec } : spec));
  for (const { remote, local } of specs) {
    if (!Number.isInteger(remote) || remote < 1 || remote > 65535)
      throw new TypeError(`${remote} is not a port (1–65535)`);
    if (local !== undefined && (!Number.isInteger(local) || local < 0 || local > 65535))
      throw new TypeError(`${local} is not a local port (0–65535)`);
  }
  options.signal?.throwIfAborted();
  const address = options.address ?? "127.0.0.1";
  const report =
    options.onError ??
    ((error: TransportError, c: ForwardedConnection) =>
      process.emitWarning(`port-forward ${c.local} → ${c.remote}: ${error.message}`));
  const stop = new AbortController();
  // Every connection's WebSocket listens to it: as many listeners as connections.
  setMaxListeners(0, stop.signal);
  const sockets = new Set<Socket>();
  const webSockets = new Set<WebSocketConnection>();
  const servers: Server[] = [];
  const forwarded: ForwardedPort[] = [];
  const path = `${podPath}/portforward`;

  async function carry(socket: Socket, remote: number, local: number): Promise<void> {
    const connection = { remote, local };
    let ws: WebSocketConnection;
    try {
      ws = await transport.webSocket({
        path,
        query: { ports: String(remote) },
        protocols: [V4],
        signal: stop.signal,
        timeoutMs: options.timeoutMs,
      });
    } catch (error) {
      socket.destroy();
      if (!stop.signal.aborted) report(error as TransportError, connection);
      return;
    }
    webSockets.add(ws);
    void ws.closed.then(() => webSockets.delete(ws));
    const info = { method: "GET", path: `${path}?ports=${remote}` };
    const broken = (message: string) =>
      new StreamError(info, `${info.method} ${info.path} → ${message}`);
    const errors = new BoundedText(MAX_ERROR_BYTES);
    // The first message of each channel is the port, 2 bytes little-endian.
    const expectPort = (channel: number, then: ChannelSink): ChannelSink => {
      let prefix: Buffer | undefined = Buffer.alloc(0);
      return (data) => {
        if (prefix === undefined) return then(data);
        prefix = Buffer.concat([prefix, data]);
        if (prefix.length < 2) return;
        const port = prefix.readUInt16LE(0);
        if (port !== remote) throw broken(`channel ${channel} is for port ${port}, not ${remote}`);
        const rest = prefix.subarray(2);
        prefix = undefined;
        return rest.length > 0 ? then(rest) : undefined;
      };
    };
    const toSocket: ChannelSink = async (data) => {
      if (socket.destroyed) return;
      socket.write(data);
      // Wait only when much is queued: a wait per message (a socket's 16 KiB mark) costs a loop turn each.
      if (socket.writableLength > SOCKET_QUEUE_BYTES) {
        await new Promise((resolve) => {
          socket.once("drain", resolve);
          socket.once("close", resolve);
        });
      }
    };
    const sinks = new Map<number, ChannelSink>([
      [DATA, expectPort(DATA, toSocket)],
      [ERROR, expectPort(ERROR, (data) => errors.add(data))],
    ]);
    // Local → pod; the end of the local side ends the WebSocket (v4 cannot half-close).
    const upstream = (async () => {
      try {
        for await (const chunk of socket) await ws.send([Uint8Array.of(DATA), chunk as Buffer]);
      } catch {
        // the WebSocket or the socket failed: the downstream side reports it
      }
      void ws.close();
    })();
    socket.resume();
    try {
      await demultiplex(ws, sinks);
      if (errors.length > 0) {
        socket.destroy();
        report(broken(errors.text()), connection);
      } else socket.end();
    } catch (error) {
      socket.destroy();
      void ws.close();
      if (!stop.signal.aborted) report(error as TransportError, connection);
    }
    await upstream;
  }

  const closed = (async () => {
    await once(stop.signal, "abort");
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    for (const socket of sockets) socket.destroy();
    while (sockets.size > 0) await once(sockets.values().next().value as Socket, "close");
    await Promise.all([...webSockets].map((ws) => ws.closed));
  })();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  void closed.finally(() => options.signal?.removeEventListener("abort", onAbort));

  try {
    for (const { remote, local } of specs) {
      const server = createServer({ pauseOnConnect: true }, (socket) => {
        if (stop.signal.aborted) {
          socket.destroy();
          return;
        }
        sockets.add(socket);
        socket.once("close", () => sockets.delete(socket));
        socket.on("error", () => {});
        const localPort = (server.address() as { port: number }).port;
        void carry(socket, remote, localPort);
      });
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(local ?? 0, address, () => {
          server.off("error", reject);
          resolve();
        });
      });
      forwarded.push({ remote, local: (server.address() as { port: number }).port, address });
    }
  } catch (error) {
    stop.abort(error);
    await closed;
    throw error;
  }

  return {
    ports: forwarded,
    get connections() {
      return sockets.size;
    },
    async close() {
      stop.abort(new Error("port-forward closed"));
      await closed;
    },
    closed,
  };
}
