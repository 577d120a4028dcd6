import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Credentials } from "@kin/credentials";
import { sleep } from "../sleep.js";
import {
  type Cluster,
  type ConfigMapLike,
  configMapEvent,
  identityOf,
  SELF_SUBJECT_REVIEW,
} from "./cluster.js";

/** A non-2xx answer, with the Status message the server gave. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RawOptions {
  /** Told when a watch connection ended or failed and is being opened again. */
  onReconnect?: (resourceVersion: string, error: Error | undefined) => void;
}

/**
 * Modes `direct` and `proxy`: plain REST with nothing but the credentials and node:http(s) — the
 * docs' `curl --cacert ca.crt -H "Authorization: Bearer $(cat token)" https://kubernetes.default.svc/api`.
 * `direct` credentials come from `loadInCluster()` (the token is re-read when it rotates and after a 401);
 * `proxy` credentials from `loadProxy()` (plain http to the sidecar, no token).
 */
export function rawCluster(credentials: Credentials, options: RawOptions = {}): Cluster {
  const base = new URL(credentials.server);
  const secure = base.protocol === "https:";
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, ca: credentials.ca })
    : new HttpAgent({ keepAlive: true });
  // Checked before it goes into a URL: a namespace is a DNS-1123 label.
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(credentials.namespace))
    throw new Error(
      `namespace ${JSON.stringify(credentials.namespace)} is not a valid namespace name (a DNS-1123 label: lowercase letters, digits and '-', at most 63)`,
    );
  const ns = credentials.namespace;

  /** One request; a 401 makes the token provider read the token again, and the request is made once more. */
  async function send(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { Accept: "application/json" };
      if (credentials.auth) headers.Authorization = await credentials.auth.authorization();
      const payload = body === undefined ? undefined : JSON.stringify(body);
      if (payload !== undefined) headers["Content-Type"] = "application/json";
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const url = new URL(path, base);
        const req = (secure ? httpsRequest : httpRequest)(
          url,
          { method, headers, agent, signal },
          resolve,
        );
        req.on("error", (error) =>
          reject(
            signal?.aborted
              ? error
              : new Error(`${method} ${url.href}: ${error.message}`, { cause: error }),
          ),
        );
        req.end(payload);
      });
      if (response.statusCode === 401 && credentials.auth && attempt === 0) {
        response.resume();
        credentials.auth.invalidate();
        continue;
      }
      if ((response.statusCode ?? 0) >= 300) throw await apiError(method, path, response);
      return response;
    }
  }

  async function json<T>(
    method: string,
    path: string,
    signal: AbortSignal | undefined,
    body?: unknown,
  ): Promise<T> {
    const response = await send(method, path, body, signal);
    return JSON.parse(await text(response, `${method} ${path}`)) as T;
  }

  /** One watch request: its events until the server ends it (its timeout) or the connection drops. */
  async function* watchOnce(
    resourceVersion: string,
    signal: AbortSignal,
  ): AsyncGenerator<{ type: string; object: ConfigMapLike & { code?: number; message?: string } }> {
    const query = new URLSearchParams({
      watch: "true",
      allowWatchBookmarks: "true",
      resourceVersion,
    });
    const response = await send(
      "GET",
      `/api/v1/namespaces/${ns}/configmaps?${query}`,
      undefined,
      signal,
    );
    // One event per line, each chunk searched once (linear in the stream); an event over 16 MiB is
    // refused, as client-go does.
    let partial = "";
    response.setEncoding("utf8");
    for await (const chunk of response as AsyncIterable<string>) {
      let start = 0;
      for (let newline = chunk.indexOf("\n"); newline >= 0; newline = chunk.indexOf("\n", start)) {
        const line = (partial + chunk.slice(start, newline)).trim();
        partial = "";
        start = newline + 1;
        if (line) yield JSON.parse(line);
      }
      partial += chunk.slice(start);
      if (partial.length > LIMITS.watchEvent) {
        response.destroy();
        throw new Error(`a watch event is larger than ${LIMITS.watchEvent} bytes`);
      }
    }
    // A partial last line is a cut stream: it is dropped and the watch resumes before it.
  }

  return {
    namespace: credentials.namespace,
    server: credentials.server,
    async apiVersions(signal) {
      return (await json<{ versions?: string[] }>("GET", "/api", signal)).versions ?? [];
    },
    async whoAmI(signal) {
      return identityOf(
        await json(
          "POST",
          "/apis/authentication.k8s.io/v1/selfsubjectreviews",
          signal,
          SELF_SUBJECT_REVIEW,
        ),
      );
    },
    async pods(signal) {
      const list = await json<{
        items: { metadata?: { name?: string }; status?: { phase?: string } }[];
      }>("GET", `/api/v1/namespaces/${ns}/pods`, signal);
      return list.items.map((pod) => ({
        name: pod.metadata?.name ?? "",
        phase: pod.status?.phase ?? "Unknown",
      }));
    },
    async configMaps(signal) {
      const list = await json<{ metadata?: { resourceVersion?: string }; items: ConfigMapLike[] }>(
        "GET",
        `/api/v1/namespaces/${ns}/configmaps`,
        signal,
      );
      return {
        resourceVersion: list.metadata?.resourceVersion ?? "",
        names: list.items.map((item) => item.metadata?.name ?? ""),
      };
    },
    async *watchConfigMaps(from, signal) {
      let resourceVersion = from;
      let failures = 0;
      while (!signal.aborted) {
        let failure: Error | undefined;
        try {
          for await (const event of watchOnce(resourceVersion, signal)) {
            failures = 0;
            if (event.type === "ERROR")
              throw new ApiError(event.object.code ?? 500, event.object.message ?? "watch error");
            resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
            if (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED")
              yield configMapEvent(event.type, event.object);
          }
        } catch (error) {
          if (signal.aborted) return;
          // Answers from the server (410 Gone, 403) are the caller's; dropped connections are resumed.
          if (error instanceof ApiError) throw error;
          failure = error as Error;
          failures++;
        }
        if (signal.aborted) return;
        options.onReconnect?.(resourceVersion, failure);
        if (failures > 0) await sleep(Math.min(200 * 2 ** (failures - 1), 5_000), signal);
      }
    },
    async close() {
      agent.destroy();
    },
  };
}

/** What the raw modes read at most: a whole answer, one watch event. */
export const LIMITS = { body: 64 * 1024 * 1024, watchEvent: 16 * 1024 * 1024 } as const;

async function text(response: IncomingMessage, what: string, limit = LIMITS.body): Promise<string> {
  response.setEncoding("utf8");
  let body = "";
  for await (const chunk of response as AsyncIterable<string>) {
    body += chunk;
    if (body.length > limit) {
      response.destroy();
      throw new Error(`${what}: the answer is larger than ${limit} bytes`);
    }
  }
  return body;
}

async function apiError(
  method: string,
  path: string,
  response: IncomingMessage,
): Promise<ApiError> {
  // An error body is read only as far as its message needs.
  const body = await text(response, "", 64 * 1024).catch(() => "");
  const code = response.statusCode ?? 0;
  let message = body.slice(0, 200);
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? message;
  } catch {}
  return new ApiError(code, `${method} ${path.split("?")[0]} → ${code}: ${message}`);
}
