// An HTTP/1.1 upgrade request through an undici dispatcher (the transport's pool or proxy agent, so
// the same TLS settings, CA and proxy apply): a 101 hands over the socket; any other answer is read,
// up to a limit, so its Status can become the error.
import type { IncomingHttpHeaders } from "node:http";
import type { Duplex } from "node:stream";
import type { Dispatcher } from "undici";

/** One upgrade request. */
export interface UpgradeRequest {
  /** Path and query, as sent. */
  readonly target: string;
  /** Request headers; `connection` and `upgrade` are added by undici. */
  readonly headers: Record<string, string>;
  /** The protocol to upgrade to (`websocket`). */
  readonly protocol: string;
  readonly signal: AbortSignal | undefined;
}

/** The answer: the upgraded socket, or a response that refused the upgrade. */
export type UpgradeResult =
  | {
      readonly upgraded: true;
      readonly status: number;
      readonly headers: IncomingHttpHeaders;
      readonly socket: Duplex;
    }
  | {
      readonly upgraded: false;
      readonly status: number;
      readonly headers: IncomingHttpHeaders;
      /** The body, cut at the limit. */
      readonly body: string;
    };

/** How much of a refusal's body is kept (a Status is far smaller). */
export const MAX_REFUSAL_BODY = 64 * 1024;

/** Sends `request` on `dispatcher` as an upgrade; rejects only when no answer came. */
export function dispatchUpgrade(
  dispatcher: Dispatcher,
  origin: string,
  request: UpgradeRequest,
): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const { signal } = request;
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    const onAbort = () => {
      const reason =
        signal?.reason instanceof Error
          ? signal.reason
          : new Error("aborted", { cause: signal?.reason });
      controller?.abort(reason);
      finish(() => reject(reason));
    };
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      settle();
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let kept = 0;
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (settled) c.abort(new Error("aborted"));
      },
      onRequestUpgrade(_c, statusCode, responseHeaders, socket) {
        if (settled) {
          socket.destroy();
          return;
        }
        finish(() =>
          resolve({ upgraded: true, status: statusCode, headers: responseHeaders, socket }),
        );
      },
      onResponseStart(_c, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(c, chunk) {
        if (kept >= MAX_REFUSAL_BODY) return;
        const part = chunk.subarray(0, MAX_REFUSAL_BODY - kept);
        chunks.push(part);
        kept += part.length;
        // Enough to name the failure: stop reading (the connection is not reused).
        if (kept >= MAX_REFUSAL_BODY)
          finish(() => {
            resolve({ upgraded: false, status, headers, body: Buffer.concat(chunks).toString() });
            c.abort(new Error("refusal body over the limit"));
          });
      },
      onResponseEnd() {
        finish(() =>
          resolve({ upgraded: false, status, headers, body: Buffer.concat(chunks).toString() }),
        );
      },
      onResponseError(_c, error) {
        finish(() => reject(error));
      },
    };
    try {
      dispatcher.dispatch(
        {
          origin,
          path: request.target,
          method: "GET",
          headers: request.headers,
          upgrade: request.protocol,
        },
        handler,
      );
    } catch (error) {
      finish(() => reject(error));
    }
  });
}
