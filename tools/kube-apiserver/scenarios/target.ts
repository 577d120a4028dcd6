import { createApiServer, listen, type ServiceAccountTokenOptions } from "@kin/mock-server";
import type { KubeApiServer } from "../src/kubeApiServer.js";

/** A server a scenario runs against: the mock server's HTTPS listener or a real kube-apiserver. */
export interface Target {
  readonly name: "mock" | "real";
  readonly url: string;
  readonly ca: string;
  /** A token in `system:masters`. */
  readonly adminToken: string;
  issueServiceAccountToken(options: ServiceAccountTokenOptions): Promise<string>;
  /** Forgets history: continue tokens and watches from before get 410. */
  compact(): Promise<void>;
  close(): Promise<void>;
}

/** The mock server (RBAC on, as the real one) over its HTTPS listener. */
export async function mockTarget(): Promise<Target> {
  const api = createApiServer({ rbac: true });
  const listener = await listen(api);
  const adminToken = api.issueToken();
  return {
    name: "mock",
    url: listener.url,
    ca: listener.ca,
    get adminToken() {
      return adminToken;
    },
    issueServiceAccountToken: async (options) => api.issueServiceAccountToken(options),
    compact: async () => api.compact(),
    close: async () => {
      api.close();
      await listener.close();
    },
  };
}

/** A running real server as a target (closing it is left to whoever started it). */
export function realTarget(server: KubeApiServer): Target {
  return {
    name: "real",
    url: server.url,
    ca: server.ca,
    get adminToken() {
      return server.adminToken;
    },
    issueServiceAccountToken: (options) => server.issueServiceAccountToken(options),
    compact: async () => {
      await server.compact();
    },
    close: async () => {},
  };
}
