// A connect subresource's answer when the request may be upgraded: the core cannot write a 101 in a
// fetch `Response`, so it answers a marked response that the HTTPS listener turns into a WebSocket
// session (and the msw adapter, which cannot upgrade, sends as an empty 200).
import type { WebSocket } from "ws";

/** A streaming session waiting for its WebSocket (exec, attach, port-forward). */
export interface StreamUpgrade {
  /** The subprotocols this session speaks; the client's first one among them is chosen. */
  readonly protocols: readonly string[];
  /** Serves the session on the upgraded connection, with the chosen subprotocol. */
  serve(ws: WebSocket, protocol: string): void;
}

const UPGRADE = Symbol("kin.mock-server.upgrade");

/** The marked answer that carries `upgrade` to the listener. */
export function upgradeResponse(upgrade: StreamUpgrade): Response {
  const response = new Response(null, { status: 200 });
  Object.defineProperty(response, UPGRADE, { value: upgrade });
  return response;
}

/** The session a response carries, if it is an upgrade answer. */
export function upgradeOf(response: Response): StreamUpgrade | undefined {
  return (response as unknown as { [UPGRADE]?: StreamUpgrade })[UPGRADE];
}

/** `wsstream.IsWebSocketRequest`: `Upgrade: websocket` and a `Connection` naming `upgrade`. */
export function isWebSocketRequest(request: Request): boolean {
  return (
    (request.headers.get("upgrade") ?? "").toLowerCase() === "websocket" &&
    /(^|,)\s*upgrade\s*($|,)/i.test(request.headers.get("connection") ?? "")
  );
}
