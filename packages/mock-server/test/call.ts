// A tiny client for tests of the core through `handle()`.
import { type ApiServerOptions, createApiServer } from "../src/server/apiServer.js";

export const BASE = "https://kubernetes.default.svc";

export function setup(options: ApiServerOptions = {}) {
  const api = createApiServer(options);
  const token = api.issueToken();
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const h = new Headers({ "content-type": "application/json", authorization: `Bearer ${token}` });
    for (const [k, v] of Object.entries(headers)) h.set(k, v);
    const response = await api.handle(
      new Request(`${BASE}${path}`, {
        method,
        headers: h,
        body:
          body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      }),
    );
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, json, headers: response.headers };
  };
  /** Opens a watch and collects events until `count` arrived (or the stream ended). */
  const watch = async (path: string, count: number, after?: () => Promise<unknown>) => {
    const controller = new AbortController();
    const response = await api.handle(
      new Request(`${BASE}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      }),
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const events: any[] = [];
    let buffer = "";
    const decoder = new TextDecoder();
    const pending = after?.();
    while (events.length < count) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let i = buffer.indexOf("\n");
      while (i >= 0) {
        events.push(JSON.parse(buffer.slice(0, i)));
        buffer = buffer.slice(i + 1);
        i = buffer.indexOf("\n");
      }
    }
    await pending;
    await reader.cancel();
    return events;
  };
  return { api, token, call, watch };
}

export const pod = (name: string, labels: Record<string, string> = {}, spec: object = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels },
  spec: { containers: [{ name: "c", image: "busybox" }], ...spec },
});

export const deployment = (name: string, replicas = 2) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "c", image: "nginx" }] },
    },
  },
});
