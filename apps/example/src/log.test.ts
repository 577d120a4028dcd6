import { describe, expect, it } from "vitest";
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
