import { fileURLToPath } from "node:url";
import {
  type ApiServer,
  createApiServer,
  createPodEnvironment,
  type HttpsListener,
  listen,
  type PodEnvironment,
  readManifests,
} from "@kin/mock-server";

/** The namespace and service account of apps/example/deploy/. */
export const NAMESPACE = "kin-example";
export const SERVICE_ACCOUNT = "kin-example";
/** The app's own pod, which its service-account token is bound to, and its neighbours. */
export const APP_POD = "kin-example-5d8f7c9b4-q7x2m";
export const DEMO_PODS = [APP_POD, "web-7d4b9c-x2x8p", "web-7d4b9c-z9q4m"];
export const DEPLOY_DIR = fileURLToPath(new URL("../deploy/", import.meta.url));

/**
 * A fake cluster on loopback as the manifests make it: RBAC on, deploy/ applied (namespace, service
 * account, least-privilege Role and its binding, the Deployments), a few pods; and the app's simulated
 * pod, whose projected service-account token the server issued (bound to the pod) and can rotate.
 */
export interface DemoCluster {
  readonly api: ApiServer;
  readonly listener: HttpsListener;
  readonly pod: PodEnvironment;
  /** A token of `system:masters`, to change things as an administrator would. */
  readonly adminToken: string;
  close(): Promise<void>;
}

export interface DemoClusterOptions {
  /** The listener's address (`::1` for an IPv6 cluster). Default 127.0.0.1. */
  host?: string;
  /** KUBERNETES_SERVICE_HOST as the pod sees it. Default: the listener's address. */
  serviceHost?: string;
  /** How long a rotated-out token keeps working. Default 0 (revoked at once). */
  tokenGracePeriodMs?: number;
}

export async function startDemoCluster(options: DemoClusterOptions = {}): Promise<DemoCluster> {
  const api = createApiServer({ rbac: true });
  api.seed((await readManifests([DEPLOY_DIR])).map((manifest) => manifest.object));
  for (const name of DEMO_PODS) {
    api.add({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: NAMESPACE, labels: { app: name.split("-")[0] ?? name } },
      spec: {
        serviceAccountName: name === APP_POD ? SERVICE_ACCOUNT : "default",
        containers: [{ name: "main", image: "registry.example/app:1.0" }],
      },
      status: { phase: "Running" },
    });
  }
  const listener = await listen(api, { host: options.host ?? "127.0.0.1" });
  const pod = await createPodEnvironment({
    host: options.serviceHost ?? listener.host,
    port: listener.port,
    ca: listener.ca,
    namespace: NAMESPACE,
    serviceAccount: { apiServer: api, serviceAccountName: SERVICE_ACCOUNT, podName: APP_POD },
    tokenGracePeriodMs: options.tokenGracePeriodMs ?? 0,
  });
  return {
    api,
    listener,
    pod,
    adminToken: api.issueToken(),
    async close() {
      await listener.close();
      await pod.cleanup();
      api.close();
    },
  };
}

/** An administrator's change to a config map of the app's namespace, through the HTTPS listener. */
export async function changeConfigMap(
  cluster: DemoCluster,
  method: "POST" | "PUT" | "DELETE",
  name: string,
  data?: Record<string, string>,
): Promise<void> {
  const { Agent, request } = await import("node:https");
  const agent = new Agent({ ca: cluster.listener.ca });
  const path = `/api/v1/namespaces/${NAMESPACE}/configmaps${method === "POST" ? "" : `/${name}`}`;
  const body =
    method === "DELETE"
      ? undefined
      : JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name, namespace: NAMESPACE },
          data,
        });
  await new Promise<void>((resolve, reject) => {
    const req = request(
      new URL(path, cluster.listener.url),
      {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${cluster.adminToken}`,
          "Content-Type": "application/json",
        },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () =>
          (response.statusCode ?? 500) < 300
            ? resolve()
            : reject(new Error(`${method} ${path} → ${response.statusCode}: ${text}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
  agent.destroy();
}
