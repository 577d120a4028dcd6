// The faults themselves, as fetch `Response`s so that both adapters honour them: a `Response.error()`
// is a connection cut before any answer (the listener destroys the socket; msw makes it a network
// error), a body stream that errors is a cut mid-response (the listener destroys the socket after the
// bytes already sent; under msw the client's body read fails).
import { json } from "../http/responses.js";
import * as status from "../http/status.js";

/** The reason an answer's body stream errors: the listener cuts the connection on it. */
export class ConnectionCut extends Error {
  override readonly name = "ConnectionCut";
}

const REASONS: Record<number, [string, string]> = {
  400: ["BadRequest", "the server rejected our request for an unknown reason"],
  401: ["Unauthorized", "Unauthorized"],
  403: ["Forbidden", "forbidden"],
  404: ["NotFound", "the server could not find the requested resource"],
  409: ["Conflict", "the server reported a conflict"],
  410: ["Expired", "the resource version is too old"],
  422: ["Invalid", "the server rejected our request due to an error in our request"],
  429: ["TooManyRequests", "Too many requests, please try again later."],
  500: ["InternalError", "Internal error occurred: injected fault"],
  503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
  504: [
    "Timeout",
    "the server was unable to return a response in the time allotted, but may still be processing the request",
  ],
};

/** An error answer with the Status the server writes for `code`, and `Retry-After` when given. */
export function statusAnswer(code: number, retryAfterSeconds?: number, message?: string): Response {
  const [reason, text] = REASONS[code] ?? [
    code >= 500 ? "InternalError" : "BadRequest",
    `injected ${code}`,
  ];
  const details = retryAfterSeconds === undefined ? undefined : { retryAfterSeconds };
  const response = json(status.failure(code, reason, message ?? text, details), code);
  if (retryAfterSeconds !== undefined)
    response.headers.set("retry-after", String(retryAfterSeconds));
  return response;
}

/** A watch that is answered with a 410 `ERROR` event (too old resourceVersion) and ends. */
export function watchGoneAnswer(requested: string, current: string): Response {
  const event = {
    type: "ERROR",
    object: status.expired(`too old resource version: ${requested} (${current})`),
  };
  return new Response(`${JSON.stringify(event)}\n`, {
    status: 200,
    headers: { "content-type": "application/json", "cache-control": "no-cache, private" },
  });
}

/** `response` with a new body; status and headers kept. */
const rebody = (response: Response, body: ReadableStream<Uint8Array>) =>
  new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });

/**
 * The first `bytes` bytes of the body, then a {@link ConnectionCut}: the chunk that crosses the limit
 * is cut, and the error comes at the next read so the bytes before it are delivered. A shorter body is
 * cut at its end (the client never sees it complete).
 */
export function resetAfterBytes(response: Response, bytes: number): Response {
  const reader = response.body?.getReader();
  let sent = 0;
  let cut = false;
  return rebody(
    response,
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (cut || !reader) {
          controller.error(new ConnectionCut(`connection cut after ${sent} bytes`));
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          cut = true;
          controller.error(new ConnectionCut(`connection cut after ${sent} bytes`));
          return;
        }
        const room = bytes - sent;
        if (value.byteLength >= room) {
          cut = true;
          void reader.cancel().catch(() => {});
          if (room > 0) controller.enqueue(value.subarray(0, room));
          sent += room;
          if (room === 0) controller.error(new ConnectionCut(`connection cut after ${sent} bytes`));
          return;
        }
        sent += value.byteLength;
        controller.enqueue(value);
      },
      cancel: (reason) => reader?.cancel(reason),
    }),
  );
}

/**
 * A watch stream that ends after `events` events (newline-delimited frames): cleanly, or with a
 * {@link ConnectionCut} when `reset`. The watcher behind it is freed.
 */
export function cutWatch(response: Response, events: number, reset: boolean): Response {
  if (!response.ok || !response.body) return response;
  const reader = response.body.getReader();
  let seen = 0;
  let done = false;
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    done = true;
    void reader.cancel().catch(() => {});
    if (reset) controller.error(new ConnectionCut(`watch cut after ${seen} events`));
    else controller.close();
  };
  return rebody(
    response,
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (done) return finish(controller);
        if (seen >= events) return finish(controller);
        const next = await reader.read();
        if (next.done) {
          done = true;
          controller.close();
          return;
        }
        // Pass whole frames; stop right after the `events`-th newline.
        const value = next.value;
        let end = value.byteLength;
        for (let i = 0; i < value.byteLength; i++) {
          if (value[i] === 10 && ++seen >= events) {
            end = i + 1;
            break;
          }
        }
        controller.enqueue(end === value.byteLength ? value : value.subarray(0, end));
        // The error/close comes at the next pull, after the frames are delivered.
        if (seen >= events) done = true;
      },
      cancel: (reason) => reader.cancel(reason),
    }),
  );
}

/** Resolves when `signal` aborts or `stop` is called: the end of a stall. */
export function waitForAbort(
  signal: AbortSignal | undefined,
  stops: Set<() => void>,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      stops.delete(done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    if (signal?.aborted) return resolve();
    signal?.addEventListener("abort", done, { once: true });
    stops.add(done);
  });
}

/** Sleeps `ms`, or less if `signal` aborts. Resolves `false` when aborted. */
export function delay(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
