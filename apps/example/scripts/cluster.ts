import {
  createApiServer,
  createPodEnvironment,
  listen,
  type PodEnvironment,
} from "@kin/mock-server";

/** A fake cluster on loopback with a few pods, and a simulated pod of namespace `demo` that may talk to it. */
export interface DemoCluster {
  readonly url: string;
  readonly pod: PodEnvironment;
  /** The env a process needs to run as that pod: the kubelet's variables and KIN_SERVICE_ACCOUNT_DIR. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export const DEMO_PODS = ["web-7d4b9c-x2x8p", "web-7d4b9c-z9q4m", "worker-0"];

export async function startDemoCluster(): Promise<DemoCluster> {
  const api = createApiServer();
  api.add({ apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } });
  for (const name of DEMO_PODS) {
    api.add({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "demo", labels: { app: name.split("-")[0] ?? name } },
      spec: { containers: [{ name: "main", image: "registry.example/app:1.0" }] },
      status: { phase: "Running" },
    });
  }
  const listener = await listen(api);
  const pod = await createPodEnvironment({
    host: listener.host,
    port: listener.port,
    ca: listener.ca,
    token: api.issueToken(),
    namespace: "demo",
  });
  return {
    url: listener.url,
    pod,
    env: { ...pod.env, KIN_SERVICE_ACCOUNT_DIR: pod.dir },
    async close() {
      await listener.close();
      await pod.cleanup();
    },
  };
}
