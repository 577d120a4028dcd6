import { type DestinationStream, type Logger, pino } from "pino";
import type { LogLevel, Mode } from "./config.js";

export type { Logger };

/** Where log lines go: anything with `write(line)`; standard output by default. */
export interface LogOptions {
  level: LogLevel;
  pretty: boolean;
  mode: Mode;
  destination?: { write(line: string): unknown };
  /** Colours in pretty output. Default: standard output is a terminal, or FORCE_COLOR (not NO_COLOR). */
  colors?: boolean;
}

/**
 * JSON lines on stdout (`{"level":"info","time":"…","mode":"client","msg":"…",…}`), written
 * synchronously so nothing is lost when the process exits; with `pretty`, one readable line each.
 */
export function createLogger(options: LogOptions): Logger {
  const out = options.destination ?? pino.destination({ dest: 1, sync: true });
  const colors = options.colors ?? (options.destination === undefined && colorsWanted());
  const stream: DestinationStream = options.pretty
    ? { write: (line: string) => out.write(prettyLine(line, colors)) }
    : (out as DestinationStream);
  return pino(
    {
      level: options.level,
      base: { mode: options.mode },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}

/** NO_COLOR and FORCE_COLOR as most tools read them; otherwise a terminal gets colours. */
function colorsWanted(): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR !== undefined) return process.env.FORCE_COLOR !== "0";
  return process.stdout.isTTY === true;
}

const LEVEL_COLORS: Record<string, number> = {
  fatal: 35,
  error: 31,
  warn: 33,
  info: 32,
  debug: 36,
  trace: 90,
};

/** `12:03:04.567 INFO  [client] watching config maps  namespace=demo resourceVersion=42` */
export function prettyLine(json: string, colors: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, mode, msg, err, ...fields } = entry;
  const paint = (code: number, text: string) => (colors ? `\x1b[${code}m${text}\x1b[0m` : text);
  const label = String(level ?? "info");
  const clock = typeof time === "string" ? time.slice(11, 23) : "";
  const rest = Object.entries(fields)
    .filter(([key]) => key !== "pid" && key !== "hostname")
    .map(([key, value]) => `${paint(90, `${key}=`)}${formatValue(value)}`);
  let line = `${paint(90, clock)} ${paint(LEVEL_COLORS[label] ?? 0, label.toUpperCase().padEnd(5))} ${paint(90, `[${String(mode)}]`)} ${String(msg ?? "")}`;
  if (rest.length > 0) line += `  ${rest.join(" ")}`;
  if (err && typeof err === "object") {
    const error = err as { type?: string; message?: string };
    line += `\n    ${paint(31, `${error.type ?? "Error"}: ${error.message ?? ""}`)}`;
  }
  return `${line}\n`;
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(",");
  return JSON.stringify(value);
}
