import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** One HTTP exchange, body read whole. */
export interface HttpAnswer {
  readonly status: number;
  /** Header names lowercase; a header sent more than once (`warning`) as an array of its values. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The CA to trust for `https:` URLs (the server's is verified; there is no way to turn that off). */
  ca?: string;
  /** The whole exchange, body included. Default 30 s. */
  timeoutMs?: number;
  /** Bodies longer than this fail the request. Default 16 MiB. */
  maxBytes?: number;
}

/**
 * One request over node:http(s), bounded in time and size. Rejects on a network error, a timeout or an
 * oversized body, naming the method and URL (never a header: they may hold a token).
 */
export function httpCall(url: string | URL, options: HttpOptions = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  const method = options.method ?? "GET";
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const what = `${method} ${target.origin}${target.pathname}`;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(
        error.message.startsWith(what)
          ? error
          : new Error(`${what}: ${error.message}`, { cause: error }),
      );
    };
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(target, {
      method,
      headers: options.headers,
      ...(target.protocol === "https:" ? { ca: options.ca } : {}),
    });
    const timer = setTimeout(
      () => fail(new Error(`${what}: no complete answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.once("error", fail);
    req.once("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) fail(new Error(`${what}: body larger than ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.once("error", fail);
      res.once("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const headers: Record<string, string | string[]> = {};
        for (const [name, values] of Object.entries(res.headersDistinct)) {
          if (values) headers[name] = values.length === 1 ? (values[0] ?? "") : values;
        }
        resolve({
          status: res.statusCode ?? 0,
          headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
    });
    req.end(options.body);
  });
}
