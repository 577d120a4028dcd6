import { parseArgs } from "node:util";

/** How the app reaches the API server (the three ways of "Accessing the Kubernetes API from a Pod"). */
export type Mode = "client" | "direct" | "proxy";
export const MODES: readonly Mode[] = ["client", "direct", "proxy"];

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  mode: Mode;
  /** The kubectl proxy sidecar (mode `proxy`). */
  proxyUrl: string;
  /** Port of `/healthz` and `/readyz`; 0 picks a free one. */
  healthPort: number;
  /** After SIGTERM, the app gives up waiting for a clean stop after this long (keep it under the pod's grace period). */
  shutdownTimeoutMs: number;
  /** The service-account folder; undefined is the real one (`/var/run/secrets/kubernetes.io/serviceaccount`). */
  serviceAccountDir: string | undefined;
  logLevel: LogLevel;
  pretty: boolean;
}

/** Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One setting: its flag, its env var, its default, and what it means (the `--help` text is made from these). */
const SETTINGS = {
  mode: {
    env: "KIN_MODE",
    arg: "<mode>",
    fallback: "client",
    help: "client (@kin/client), direct (service-account token + CA over node:https) or proxy (a kubectl proxy sidecar)",
  },
  "proxy-url": {
    env: "KIN_PROXY_URL",
    arg: "<url>",
    fallback: "http://127.0.0.1:8001",
    help: "where the kubectl proxy sidecar listens (mode proxy)",
  },
  "health-port": {
    env: "KIN_HEALTH_PORT",
    arg: "<port>",
    fallback: "8080",
    help: "port of GET /healthz and /readyz (0: any free port)",
  },
  "shutdown-timeout": {
    env: "KIN_SHUTDOWN_TIMEOUT",
    arg: "<seconds>",
    fallback: "20",
    help: "after SIGTERM, exit within this many seconds (below the pod's terminationGracePeriodSeconds)",
  },
  "service-account-dir": {
    env: "KIN_SERVICE_ACCOUNT_DIR",
    arg: "<dir>",
    fallback: "",
    help: "service-account folder (default /var/run/secrets/kubernetes.io/serviceaccount)",
  },
  "log-level": {
    env: "KIN_LOG_LEVEL",
    arg: "<level>",
    fallback: "info",
    help: LOG_LEVELS.join(", "),
  },
} as const;

type Setting = keyof typeof SETTINGS;

/** Bad configuration: the message names the flag or env var and the value. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export const HELP = `Usage: kin-example [options]

Talks to the Kubernetes API from inside a pod: prints the API versions, who it is, its namespace
and the pods in it, then logs every change to the ConfigMaps of its namespace until SIGTERM.
Serves GET /healthz and /readyz for the pod's probes. Logs are JSON lines.

Options (each can also be set by its environment variable; a flag wins):
${Object.entries(SETTINGS)
  .map(
    ([flag, s]) =>
      `  --${`${flag} ${s.arg}`.padEnd(30)}${s.env}\n      ${s.help}${s.fallback ? ` (default ${s.fallback})` : ""}`,
  )
  .join("\n")}
  --pretty                        KIN_LOG_PRETTY=1
      human-readable logs instead of JSON lines
  -h, --help                      this text

The namespace is POD_NAMESPACE (the downward API) or the service account's namespace file. In modes
client and direct the API server is KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT.
`;

/** `help: true` when `--help` was asked for; otherwise the configuration, or a {@link ConfigError}. */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { help: true } | { help: false; config: Config } {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    // node:util's messages go on about positionals: keep the part that names the flag.
    throw new ConfigError((error as Error).message.replace(/\. To specify a positional.*$/s, ""));
  }
  if (parsed.help) return { help: true };

  const setting = (name: Setting): { value: string; source: string } => {
    const flag = parsed[name];
    if (flag !== undefined) return { value: flag, source: `--${name}` };
    const fromEnv = env[SETTINGS[name].env];
    if (fromEnv !== undefined && fromEnv !== "")
      return { value: fromEnv, source: SETTINGS[name].env };
    return { value: SETTINGS[name].fallback, source: `--${name}` };
  };
  const invalid = (s: { value: string; source: string }, expected: string) =>
    new ConfigError(`${s.source}: ${JSON.stringify(s.value)} is not ${expected}`);

  const mode = setting("mode");
  if (!(MODES as readonly string[]).includes(mode.value))
    throw invalid(mode, `a mode (expected ${MODES.join(", ")})`);

  const proxy = setting("proxy-url");
  let proxyUrl: URL;
  try {
    proxyUrl = new URL(proxy.value);
  } catch {
    throw invalid(proxy, "a URL (e.g. http://127.0.0.1:8001)");
  }
  if (proxyUrl.protocol !== "http:")
    throw invalid(proxy, "an http:// URL (kubectl proxy serves plain http)");

  const port = setting("health-port");
  const healthPort = Number(port.value);
  if (!/^\d+$/.test(port.value) || healthPort > 65_535)
    throw invalid(port, "a port number (0-65535)");

  const timeout = setting("shutdown-timeout");
  const shutdownTimeoutMs = Math.round(Number(timeout.value) * 1000);
  if (
    !/^\d+(\.\d+)?$/.test(timeout.value) ||
    shutdownTimeoutMs < 1 ||
    shutdownTimeoutMs > MAX_TIMER_MS
  )
    throw invalid(
      timeout,
      `a number of seconds from 0.001 to ${Math.floor(MAX_TIMER_MS / 1000)} (the longest timer Node has)`,
    );

  const level = setting("log-level");
  if (!(LOG_LEVELS as readonly string[]).includes(level.value))
    throw invalid(level, `a log level (expected ${LOG_LEVELS.join(", ")})`);

  const prettyEnv = env.KIN_LOG_PRETTY;
  if (prettyEnv !== undefined && !["", "0", "1", "true", "false"].includes(prettyEnv))
    throw new ConfigError(
      `KIN_LOG_PRETTY: ${JSON.stringify(prettyEnv)} is not a boolean (expected 1, 0, true or false)`,
    );

  return {
    help: false,
    config: {
      mode: mode.value as Mode,
      proxyUrl: proxyUrl.href.replace(/\/$/, ""),
      healthPort,
      shutdownTimeoutMs,
      serviceAccountDir: setting("service-account-dir").value || undefined,
      logLevel: level.value as LogLevel,
      pretty: parsed.pretty === true || prettyEnv === "1" || prettyEnv === "true",
    },
  };
}

function parseFlags(argv: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      ...(Object.fromEntries(
        Object.keys(SETTINGS).map((name) => [name, { type: "string" }]),
      ) as Record<Setting, { type: "string" }>),
      pretty: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (positionals.length > 0)
    throw new Error(`unexpected argument ${JSON.stringify(positionals[0])} (see --help)`);
  return values as Partial<Record<Setting, string>> & { pretty?: boolean; help?: boolean };
}
