// HTTP upgrades on a listener: the request goes through the core like any other (authentication,
// RBAC, faults, the pod checks); a session answer becomes a WebSocket (the `ws` server, with the
// subprotocol chosen as the kubelet's handshake chooses it: the client's first supported one, else
// 403), any other answer is written back on the socket as it is and the connection closed — as the
// upgrade-aware proxy passes a kubelet's refusal through.
import { type IncomingMessage, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocketServer } from "ws";
import { upgradeOf } from "../http/upgrade.js";
import { chooseProtocol } from "../kubelet/channels.js";

/** Largest client message a session accepts (the channel protocols send far smaller ones). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Upgrades on one listener, and the sockets they hold (closed with the listener): `answer` gives the
 * core's answer to each upgrade request (a session, or a response to write back).
 */
export function upgrades(answer: (req: IncomingMessage, signal: AbortSignal) => Promise<Response>) {
  const sockets = new Set<Duplex>();
  const chosen = new WeakMap<IncomingMessage, string>();
  // `ws` is loaded on the first upgrade: a server that never streams does not pay for it at start.
  let wss: Promise<WebSocketServer> | undefined;
  const server = () => {
    wss ??= import("ws").then(
      ({ WebSocketServer }) =>
        new WebSocketServer({
          noServer: true,
          perMessageDeflate: false,
          maxPayload: MAX_MESSAGE_BYTES,
          handleProtocols: (_offered, req) => chosen.get(req) || false,
        }),
    );
    return wss;
  };

  async function handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const gone = new AbortController();
    socket.once("close", () => gone.abort());
    let response: Response;
    try {
      response = await answer(req, gone.signal);
    } catch (error) {
      response = new Response(`mock server failure: ${(error as Error).message}`, { status: 500 });
    }
    if (socket.destroyed) return;
    if (response.type === "error") {
      socket.destroy();
      return;
    }
    const upgrade = upgradeOf(response);
    if (!upgrade) return writeBack(socket, response);
    const offered = (req.headers["sec-websocket-protocol"] ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    const protocol = chooseProtocol(offered, upgrade.protocols);
    if (protocol === undefined) {
      // x/net/websocket's answer when the handshake function refuses the protocols.
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    chosen.set(req, protocol);
    const sessions = await server();
    if (socket.destroyed) return;
    sessions.handleUpgrade(req, socket, head, (ws) => upgrade.serve(ws, protocol));
  }

  return {
    handle: (req: IncomingMessage, socket: Duplex, head: Buffer) => void handle(req, socket, head),
    /** Ends every upgraded connection (the listener is closing). */
    closeAll() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}

/** Writes a plain answer on a socket that asked for an upgrade, then closes it. */
async function writeBack(socket: Duplex, response: Response): Promise<void> {
  let head = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}\r\n`;
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "transfer-encoding") head += `${name}: ${value}\r\n`;
  });
  head += "connection: close\r\n\r\n";
  socket.write(head);
  if (response.body) {
    try {
      for await (const chunk of response.body) {
        if (socket.destroyed) break;
        if (!socket.write(chunk))
          await new Promise((resolve) => {
            socket.once("drain", resolve);
            socket.once("close", resolve);
          });
      }
    } catch {
      socket.destroy();
      return;
    }
  }
  socket.end();
}
