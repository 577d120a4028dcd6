import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CredentialsError } from "@kin/credentials";
import { execProvider, loadKubeconfig } from "@kin/credentials/kubeconfig";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger, prettyLine } from "./log.js";

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => lines.push(line) } };
}

describe("createLogger", () => {
  it("writes one JSON object per line with level, ISO time, mode and message", () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: "info", pretty: false, mode: "direct", destination });
    log.info({ namespace: "a" }, "watching config maps");
    log.debug("not at info");
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? "");
    expect(entry).toMatchObject({
      level: "info",
      mode: "direct",
      namespace: "a",
      msg: "watching config maps",
    });
    expect(new Date(entry.time).toISOString()).toBe(entry.time);
    expect(lines[0]?.endsWith("\n")).toBe(true);
  });

  it("serializes errors with their type and message", () => {
    const { lines, destination } = capture();
    createLogger({ level: "info", pretty: false, mode: "client", destination }).error(
      { err: new TypeError("boom") },
      "failed",
    );
    expect(JSON.parse(lines[0] ?? "").err).toMatchObject({ type: "TypeError", message: "boom" });
  });

  it("writes readable lines with --pretty", () => {
    const { lines, destination } = capture();
    const log = createLogger({
      level: "info",
      pretty: true,
      mode: "proxy",
      destination,
      colors: false,
    });
    log.info({ name: "settings", keys: ["a", "b"], note: "two words" }, "config map added");
    log.warn({ err: new Error("gone") }, "watch expired");
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[proxy\] config map added {2}name=settings keys=a,b note="two words"\n$/,
    );
    expect(lines[1]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[proxy\] watch expired\n {4}Error: gone\n$/,
    );
  });
});

describe("prettyLine", () => {
  it("colours the level only when asked, and passes through what is not JSON", () => {
    const line =
      '{"level":"error","time":"2026-11-28T10:11:12.345Z","mode":"client","msg":"x","count":2}';
    expect(prettyLine(line, false)).toBe("10:11:12.345 ERROR [client] x  count=2\n");
    expect(prettyLine(line, true)).toContain("\x1b[31mERROR\x1b[0m");
    expect(prettyLine("not json\n", false)).toBe("not json\n");
  });
});

describe("the logger and credential failures", () => {
  const TOKEN = "eyJhbGciOi.secret-token-in-the-file.sig";
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kin-log-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** Logs `error` as the app does (pino's err serializer: type, message, stack, cause), JSON and pretty. */
  function logged(error: unknown): string {
    const { lines, destination } = capture();
    for (const pretty of [false, true]) {
      const log = createLogger({ level: "info", pretty, mode: "client", destination });
      log.fatal({ err: error }, (error as Error).message);
      log.error({ err: error, retryInMs: 1000 }, "watching config maps failed");
    }
    return lines.join("");
  }

  it("a malformed kubeconfig holding a token: nothing of the file is logged", async () => {
    const file = join(dir, "config");
    await writeFile(file, `users:\n- name: u\n  user:\n    token: ${TOKEN}\n   broken: [\n`);
    const error = await loadKubeconfig({ files: [file] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    const output = logged(error);
    expect(output).toContain(`kubeconfig ${file} is not valid YAML`);
    expect(output).not.toContain("secret-token-in-the-file");
  });

  it("an exec plugin that fails with the token on stderr: the token is not logged", async () => {
    const plugin = join(dir, "plugin");
    await writeFile(
      plugin,
      `#!${process.execPath}\nprocess.stderr.write("refreshed ${TOKEN} but it was revoked\\n"); process.exit(1);\n`,
    );
    await chmod(plugin, 0o755);
    const provider = execProvider(
      { apiVersion: "client.authentication.k8s.io/v1", command: plugin },
      { field: "users[u].user.exec" },
    );
    const error = await provider.token().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    const output = logged(error);
    expect(output).toContain("exited with code 1");
    expect(output).not.toContain("secret-token-in-the-file");
  });
});
