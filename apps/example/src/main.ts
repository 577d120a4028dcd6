#!/usr/bin/env node
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Credentials,
  loadInCluster,
  loadProxy,
  POD_NAMESPACE_ENV,
  SERVICE_ACCOUNT_DIR,
  SERVICE_ACCOUNT_NAMESPACE_FILE,
} from "@kin/credentials";
import { type Readiness, reportWhenReachable, watchConfigMaps } from "./app.js";
import { type Config, ConfigError, HELP, parseConfig } from "./config.js";
import { serveHealth } from "./health.js";
import { createLogger, type Logger } from "./log.js";
import type { Cluster } from "./modes/cluster.js";

let parsed: ReturnType<typeof parseConfig>;
try {
  parsed = parseConfig(process.argv.slice(2), process.env);
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
const stop = new AbortController();

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stop.signal.aborted) return;
    log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, "stopping");
    readiness.ready = false;
    readiness.reason = "stopping";
    stop.abort();
    // A clean stop closes the watch, the health server and the connections; if something hangs,
    // leave before the kubelet's SIGKILL.
    setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, "did not stop in time: exiting");
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
  });
}

try {
  const health = await serveHealth(config.healthPort, readiness);
  log.info({ port: health.port }, "serving /healthz and /readyz");
  let cluster: Cluster | undefined;
  try {
    cluster = await connect(config, log);
    if (await reportWhenReachable(cluster, log, readiness, stop.signal))
      await watchConfigMaps(cluster, log, readiness, stop.signal);
  } finally {
    await cluster?.close();
    await new Promise((resolve) => health.close(resolve));
    health.closeAllConnections();
  }
  log.info("stopped");
} catch (error) {
  log.fatal({ err: error }, (error as Error).message);
  process.exitCode = 1;
}

/** Credentials and the cluster API of the configured mode (the mode modules are loaded on demand). */
async function connect(config: Config, log: Logger): Promise<Cluster> {
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
      : loadProxy({ url: config.proxyUrl, namespace: await proxyNamespace(config) });
  return rawCluster(credentials, { onReconnect });
}

/** Mode proxy has no credentials of its own: its namespace is POD_NAMESPACE or the service account's file. */
async function proxyNamespace(config: Config): Promise<string> {
  const fromEnv = process.env[POD_NAMESPACE_ENV]?.trim();
  if (fromEnv) return fromEnv;
  const file = join(
    config.serviceAccountDir ?? SERVICE_ACCOUNT_DIR,
    SERVICE_ACCOUNT_NAMESPACE_FILE,
  );
  try {
    const namespace = (await readFile(file, "utf8")).trim();
    if (namespace) return namespace;
  } catch {}
  throw new ConfigError(
    `mode proxy needs the namespace: set ${POD_NAMESPACE_ENV} (the downward API's metadata.namespace) or mount ${file}`,
  );
}
