import { listenProxy, podIsolation } from "@kin/mock-server";
import { type AppProcess, startApp } from "./app.js";
import {
  changeConfigMap,
  type DemoCluster,
  NAMESPACE,
  SERVICE_ACCOUNT,
  startDemoCluster,
} from "./cluster.js";

// The README's first command: a mock API server, a simulated pod, and the example app in each of its
// three modes, with a config map changed while the app watches.
const started = Date.now();
const tty = process.stdout.isTTY;
const paint = (code: number, text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const say = (text: string) => console.log(`${paint(36, "▸")} ${text}`);
const heading = (text: string) => console.log(`\n${paint(1, `━━ ${text} ━━`)}`);

const isolation = await podIsolation();
const cluster = await startDemoCluster();
console.log(paint(1, "kin example: an app that talks to the Kubernetes API from inside a pod\n"));
say(
  `mock Kubernetes API server on ${cluster.listener.url} (v1.28, RBAC on; its CA was made just now)`,
);
say(
  `applied deploy/: namespace ${NAMESPACE}, service account ${SERVICE_ACCOUNT}, a Role that may only list pods and list/watch config maps, its RoleBinding`,
);
say(
  isolation.available
    ? "simulated pod: a private mount namespace where the service account is at /var/run/secrets/kubernetes.io/serviceaccount and kubernetes.default.svc resolves to loopback"
    : `simulated pod: the service account in ${cluster.pod.dir} (KIN_SERVICE_ACCOUNT_DIR; as root the demo mounts it at the real path: ${isolation.reason})`,
);
say(
  `the token is a service-account JWT the server issued for ${NAMESPACE}/${SERVICE_ACCOUNT}, bound to the app's pod`,
);

let code = 0;
try {
  await runMode(cluster, "client", "@kin/client", "settings", []);
  await runMode(
    cluster,
    "direct",
    "only @kin/credentials and node:https: the docs' curl in TypeScript",
    "feature-flags",
    [],
  );
  const proxy = await listenProxy(cluster.api, { token: cluster.pod.token });
  try {
    await runMode(
      cluster,
      "proxy",
      `plain http to a kubectl proxy sidecar (here the mock server's, on ${proxy.url})`,
      "greeting",
      ["--proxy-url", proxy.url],
    );
  } finally {
    await proxy.close();
  }
  heading("done");
  say(`three modes, one cluster, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  say(
    "next: `pnpm test` runs the same app in a simulated pod with a real kubectl proxy, token rotation and cut watches",
  );
} catch (error) {
  console.error(paint(31, `demo failed: ${(error as Error).message}`));
  code = 1;
} finally {
  await cluster.close();
}
process.exitCode = code;

async function runMode(
  cluster: DemoCluster,
  mode: string,
  what: string,
  configMap: string,
  args: string[],
): Promise<void> {
  heading(`mode ${mode}: ${what}`);
  const app: AppProcess = startApp(cluster, {
    isolated: isolation.available,
    args: ["--mode", mode, "--pretty", ...args],
    env: { FORCE_COLOR: tty ? "1" : undefined },
    onLine: (line) => console.log(`  ${paint(90, "│")} ${line}`),
  });
  await app.waitFor(/watching config maps/);
  const port = /port=(\d+)/.exec(await app.waitFor(/serving \/healthz/))?.[1];
  const probe = await fetch(`http://127.0.0.1:${port}/readyz`);
  say(
    `the kubelet's readiness probe: GET /readyz → ${probe.status} ${(await probe.text()).trim()}`,
  );
  say(`kubectl create configmap ${configMap} --from-literal=color=blue`);
  await changeConfigMap(cluster, "POST", configMap, { color: "blue" });
  await app.waitFor(new RegExp(`config map added .*name=${configMap}`));
  say(`kubectl edit configmap ${configMap}  (color=green, size=large)`);
  await changeConfigMap(cluster, "PUT", configMap, { color: "green", size: "large" });
  await app.waitFor(new RegExp(`config map modified .*name=${configMap}`));
  say("the kubelet sends SIGTERM");
  const exit = await app.stop();
  say(`the app exited with code ${exit.code} in ${exit.ms} ms`);
  if (exit.code !== 0) throw new Error(`mode ${mode}: the app exited with code ${exit.code}`);
}
