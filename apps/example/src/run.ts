import { join } from "node:path";
import {
  type Credentials,
  loadInCluster,
  loadProxy,
  POD_NAMESPACE_ENV,
  podNamespace,
  SERVICE_ACCOUNT_DIR,
  SERVICE_ACCOUNT_NAMESPACE_FILE,
} from "@kin/credentials";
import { type Readiness, reportWhenReachable, watchConfigMaps } from "./app.js";
import { type Config, ConfigError, HELP, parseConfig } from "./config.js";
import { serveHealth } from "./health.js";
import { createLogger, type Logger } from "./log.js";
import type { Cluster } from "./modes/cluster.js";
import type { Shutdown } from "./shutdown.js";

/**
 * The app: configuration, logger, health server, then the report and the watch until `shutdown`
 * aborts. Every request is given the shutdown's signal, so a stop cancels the work in flight and the
 * app exits 0; if stopping takes longer than the shutdown timeout, it exits 1.
 */
export async function run(
  shutdown: Shutdown,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  let parsed: ReturnType<typeof parseConfig>;
  try {
    parsed = parseConfig(argv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`kin-example: ${error.message}\nTry 'kin-example --help'.\n`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const config = parsed.config;
  const log = createLogger({ level: config.logLevel, pretty: config.pretty, mode: config.mode });
  const readiness: Readiness = { ready: false, reason: "starting" };
  const { signal } = shutdown;

  const stopping = () => {
    log.info({ signal: signal.reason, timeoutMs: config.shutdownTimeoutMs }, "stopping");
    readiness.ready = false;
    readiness.reason = "stopping";
    // A clean stop cancels the requests, closes the watch, the health server and the connections;
    // if something hangs, leave before the kubelet's SIGKILL.
    setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, "did not stop in time: exiting");
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
  };
  // A signal may have come while the modules loaded: it is handled now, as any other.
  if (signal.aborted) stopping();
  else signal.addEventListener("abort", stopping, { once: true });

  try {
    if (!signal.aborted) {
      const health = await serveHealth(config.healthPort, readiness);
      log.info({ port: health.port }, "serving /healthz and /readyz");
      let cluster: Cluster | undefined;
      try {
        cluster = await connect(config, env, log);
        if (await reportWhenReachable(cluster, log, readiness, signal))
          await watchConfigMaps(cluster, log, readiness, signal);
      } finally {
        await cluster?.close();
        await new Promise((resolve) => health.close(resolve));
        health.closeAllConnections();
      }
    }
    log.info("stopped");
  } catch (error) {
    log.fatal({ err: error }, (error as Error).message);
    process.exitCode = 1;
  }
}

/** Credentials and the cluster API of the configured mode (the mode modules are loaded on demand). */
async function connect(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
): Promise<Cluster> {
  const onRefreshError = (error: Error) =>
    log.warn({ err: error }, "re-reading the service-account token failed; keeping the last one");
  if (config.mode === "client") {
    const { clientCluster } = await import("./modes/client.js");
    return clientCluster(await loadInCluster({ dir: config.serviceAccountDir, onRefreshError }));
  }
  const { rawCluster } = await import("./modes/raw.js");
  const onReconnect = (resourceVersion: string, error: Error | undefined) =>
    log.info(
      { resourceVersion, reason: error?.message ?? "the server ended the watch" },
      "watch reconnecting",
    );
  const credentials: Credentials =
    config.mode === "direct"
      ? await loadInCluster({ dir: config.serviceAccountDir, onRefreshError })
      : loadProxy({ url: config.proxyUrl, namespace: await proxyNamespace(config, env) });
  return rawCluster(credentials, { onReconnect });
}

/** Mode proxy has no credentials of its own: its namespace is POD_NAMESPACE or the service account's file. */
async function proxyNamespace(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const namespace = await podNamespace({ dir: config.serviceAccountDir, env });
  if (namespace) return namespace;
  const file = join(
    config.serviceAccountDir ?? SERVICE_ACCOUNT_DIR,
    SERVICE_ACCOUNT_NAMESPACE_FILE,
  );
  throw new ConfigError(
    `mode proxy needs the namespace: set ${POD_NAMESPACE_ENV} (the downward API's metadata.namespace) or mount ${file}`,
  );
}
