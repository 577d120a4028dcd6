import { describe, expect, it } from "vitest";
import { ConfigError, HELP, parseConfig } from "./config.js";

const config = (argv: string[], env: Record<string, string> = {}) => {
  const parsed = parseConfig(argv, env);
  if (parsed.help) throw new Error("help was asked for");
  return parsed.config;
};

describe("parseConfig", () => {
  it("defaults to the client mode, port 8080, 20 s to stop, JSON logs at info", () => {
    expect(config([])).toEqual({
      mode: "client",
      proxyUrl: "http://127.0.0.1:8001",
      healthPort: 8080,
      shutdownTimeoutMs: 20_000,
      serviceAccountDir: undefined,
      logLevel: "info",
      pretty: false,
    });
  });

  it("reads env vars, and a flag wins over its env var", () => {
    const env = {
      KIN_MODE: "proxy",
      KIN_HEALTH_PORT: "9000",
      KIN_LOG_PRETTY: "1",
      KIN_SHUTDOWN_TIMEOUT: "2.5",
    };
    expect(config([], env)).toMatchObject({
      mode: "proxy",
      healthPort: 9000,
      pretty: true,
      shutdownTimeoutMs: 2500,
    });
    expect(config(["--mode", "direct", "--health-port=0"], env)).toMatchObject({
      mode: "direct",
      healthPort: 0,
    });
    expect(
      config(["--service-account-dir", "/sa", "--proxy-url", "http://localhost:8001/"]),
    ).toMatchObject({
      serviceAccountDir: "/sa",
      proxyUrl: "http://localhost:8001",
    });
  });

  it("takes shutdown timeouts up to the longest timer Node has, and health ports 0-65535", () => {
    expect(config(["--shutdown-timeout", "2147483"]).shutdownTimeoutMs).toBe(2_147_483_000);
    expect(config(["--shutdown-timeout", "0.001"]).shutdownTimeoutMs).toBe(1);
    expect(config([], { KIN_SHUTDOWN_TIMEOUT: "2147483.647" }).shutdownTimeoutMs).toBe(2 ** 31 - 1);
    expect(config(["--health-port", "65535"]).healthPort).toBe(65_535);
  });

  it("answers --help and -h", () => {
    expect(parseConfig(["--help"], {})).toEqual({ help: true });
    expect(parseConfig(["-h", "--mode", "nonsense"], {})).toEqual({ help: true });
    for (const flag of [
      "--mode",
      "--proxy-url",
      "--health-port",
      "--shutdown-timeout",
      "--log-level",
      "--pretty",
    ])
      expect(HELP).toContain(flag);
  });

  it.each([
    [["--mode", "kubectl"], {}, '--mode: "kubectl" is not a mode (expected client, direct, proxy)'],
    [[], { KIN_MODE: "curl" }, 'KIN_MODE: "curl" is not a mode (expected client, direct, proxy)'],
    [[], { KIN_HEALTH_PORT: "80a" }, 'KIN_HEALTH_PORT: "80a" is not a port number (0-65535)'],
    [["--health-port", "70000"], {}, '--health-port: "70000" is not a port number (0-65535)'],
    ...["0", "0.0004", "2147484", "99999999999999999999", "-1", "1e3", " 5", "5s", "Infinity"].map(
      (value): [string[], Record<string, string>, string] => [
        [`--shutdown-timeout=${value}`],
        {},
        `--shutdown-timeout: ${JSON.stringify(value)} is not a number of seconds from 0.001 to 2147483 (the longest timer Node has)`,
      ],
    ),
    [
      [],
      { KIN_SHUTDOWN_TIMEOUT: "2147483.648" },
      'KIN_SHUTDOWN_TIMEOUT: "2147483.648" is not a number of seconds from 0.001 to 2147483 (the longest timer Node has)',
    ],
    ...["-1", "65536", "99999999999999999999", "8080.5", "0x50", " 80"].map(
      (value): [string[], Record<string, string>, string] => [
        [`--health-port=${value}`],
        {},
        `--health-port: ${JSON.stringify(value)} is not a port number (0-65535)`,
      ],
    ),
    [
      ["--proxy-url", "localhost:8001"],
      {},
      '--proxy-url: "localhost:8001" is not an http:// URL (kubectl proxy serves plain http)',
    ],
    [["--proxy-url", "::"], {}, '--proxy-url: "::" is not a URL (e.g. http://127.0.0.1:8001)'],
    [
      [],
      { KIN_LOG_LEVEL: "loud" },
      'KIN_LOG_LEVEL: "loud" is not a log level (expected fatal, error, warn, info, debug, trace)',
    ],
    [
      [],
      { KIN_LOG_PRETTY: "yes" },
      'KIN_LOG_PRETTY: "yes" is not a boolean (expected 1, 0, true or false)',
    ],
    [["--verbose"], {}, "Unknown option '--verbose'"],
    [["--mode"], {}, "Option '--mode <value>' argument missing"],
    [["run"], {}, 'unexpected argument "run" (see --help)'],
  ])("refuses %j %j naming what is wrong", (argv, env, message) => {
    let error: unknown;
    try {
      parseConfig(argv, env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(message);
  });
});
