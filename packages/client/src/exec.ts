// Exec and attach (`…/pods/<name>/exec`, `…/attach`) over WebSocket with the remote-command channel
// protocol: stdin 0, stdout 1, stderr 2, the error channel 3 (a v1 Status: Success, NonZeroExitCode
// with the exit code, or a failure), the resize channel 4 (JSON `{"Width","Height"}`). v5 is preferred
// and lets stdin be half-closed; v4 (kube-apiserver ≤ 1.29) is the fallback.
import { type Readable, Writable } from "node:stream";
import type { Status } from "@kin/resources";
import {
  KubeApiError,
  RequestAbortedError,
  type RequestInfo,
  StreamError,
  type Transport,
  type WebSocketConnection,
} from "@kin/transport";
import {
  BoundedText,
  ChannelReadable,
  type ChannelSink,
  CLOSE_SIGNAL,
  demultiplex,
  V4,
  V5,
} from "./channels.js";

/** A terminal's size in character cells. */
export interface TerminalSize {
  width: number;
  height: number;
}

/** Options of `attach` (and `exec`). */
export interface AttachOptions {
  /** The container; required when the pod has more than one. */
  container?: string;
  /** Open the process's stdin (`session.stdin`). Default false. */
  stdin?: boolean;
  /** Read the process's stdout (`session.stdout`). Default true. */
  stdout?: boolean;
  /** Read its stderr (`session.stderr`). Default true, and false with `tty` (a terminal merges it into stdout). */
  stderr?: boolean;
  /** Run it in a terminal: output is the terminal's (`\r\n`), `resize()` sets its size. Default false. */
  tty?: boolean;
  /** The terminal's first size, sent as soon as the session opens (with `tty`). */
  terminalSize?: TerminalSize;
  /** Ends the session: the connection is closed, `result` rejects with `RequestAbortedError`. */
  signal?: AbortSignal;
  /** Timeout of the WebSocket handshake in milliseconds (the session itself has none). */
  timeoutMs?: number;
}

/** Options of `exec`. */
export type ExecOptions = AttachOptions;

/** How the command ended. */
export interface ExecResult {
  /** 0 for a Status `Success`, else the code of a `NonZeroExitCode` Status. */
  exitCode: number;
}

/** A running exec or attach session. */
export interface ExecSession {
  /** The channel protocol the server chose: `v5.channel.k8s.io` or `v4.channel.k8s.io`. */
  readonly protocol: string;
  /**
   * The process's stdin (with `stdin: true`), else null. `end()` closes it for the process with v5;
   * with v4 the protocol cannot say so: the process keeps its stdin until the session ends. Writes
   * after the session ended are dropped.
   */
  readonly stdin: Writable | null;
  /** Its stdout (null when not asked for). Ends when the session ends: read it, or the session stalls. */
  readonly stdout: Readable | null;
  /** Its stderr (null when not asked for, or with `tty`). */
  readonly stderr: Readable | null;
  /**
   * Resolves with the exit code once the server sent the status and closed. Rejects with
   * `KubeApiError` for a failure Status (e.g. the command was not found), `RequestAbortedError` after
   * `signal` or `close()`, `StreamError` or a `ConnectionError` when the connection broke first.
   */
  readonly result: Promise<ExecResult>;
  /** Sets the terminal's size (with `tty`). */
  resize(size: TerminalSize): Promise<void>;
  /** Ends the session now (the connection closes; `result` rejects unless it had settled). */
  close(): Promise<void>;
}

const PROTOCOLS = [V5, V4];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
/** The error channel carries one Status: far less than this. */
const MAX_STATUS_BYTES = 64 * 1024;

/** The session's result from the error channel's Status (v4/v5). */
function resultOf(info: RequestInfo, text: string): ExecResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StreamError(
      info,
      `${info.method} ${info.path} → the error channel held no Status: ${JSON.stringify(text.slice(0, 200))}`,
    );
  }
  const status = parsed as Status;
  if (status.status === "Success") return { exitCode: 0 };
  if (status.status === "Failure" && status.reason === "NonZeroExitCode") {
    const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
    const code = Number(cause?.message);
    if (!cause || !Number.isInteger(code) || code < 0 || code > 255) {
      throw new StreamError(
        info,
        `${info.method} ${info.path} → a NonZeroExitCode Status without a valid ExitCode cause: ${JSON.stringify(text.slice(0, 200))}`,
      );
    }
    return { exitCode: code };
  }
  if (status.status === "Failure") {
    throw new KubeApiError(info, {
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      message: typeof status.message === "string" ? status.message : "",
      reason: typeof status.reason === "string" ? status.reason : "Unknown",
      ...(status.details ? { details: status.details } : {}),
      code: typeof status.code === "number" ? status.code : 500,
    });
  }
  throw new StreamError(
    info,
    `${info.method} ${info.path} → the error channel held an unknown Status: ${JSON.stringify(text.slice(0, 200))}`,
  );
}

/** Opens an exec (with `command`) or an attach session on `path` (`…/pods/<name>/exec` or `/attach`). */
export async function openSession(
  transport: Transport,
  path: string,
  command: readonly string[] | undefined,
  options: AttachOptions = {},
): Promise<ExecSession> {
  const tty = options.tty ?? false;
  if (tty && options.stderr) {
    throw new TypeError("a terminal merges stderr into stdout: do not ask for stderr with tty");
  }
  const wants = {
    stdin: options.stdin ?? false,
    stdout: options.stdout ?? true,
    stderr: options.stderr ?? !tty,
  };
  if (!wants.stdin && !wants.stdout && !wants.stderr) {
    throw new TypeError("ask for at least one of stdin, stdout and stderr");
  }
  if (command !== undefined && command.length === 0) throw new TypeError("the command is empty");
  const ws = await transport.webSocket({
    path,
    query: {
      ...(command ? { command } : {}),
      container: options.container,
      stdin: wants.stdin || undefined,
      stdout: wants.stdout || undefined,
      stderr: wants.stderr || undefined,
      tty: tty || undefined,
    },
    protocols: PROTOCOLS,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  return session(ws, { method: "GET", path }, wants, tty, options);
}

function session(
  ws: WebSocketConnection,
  info: RequestInfo,
  wants: { stdin: boolean; stdout: boolean; stderr: boolean },
  tty: boolean,
  options: AttachOptions,
): ExecSession {
  const stdout = wants.stdout ? new ChannelReadable() : null;
  const stderr = wants.stderr ? new ChannelReadable() : null;
  const status = new BoundedText(MAX_STATUS_BYTES);
  const sinks = new Map<number, ChannelSink>([[ERROR, (data) => status.add(data)]]);
  if (stdout) sinks.set(STDOUT, (data) => stdout.deliver(data));
  if (stderr) sinks.set(STDERR, (data) => stderr.deliver(data));
  let closedByCaller = false;
  let settled = false;
  const send = (channel: number, data: Uint8Array) =>
    ws.send([Uint8Array.of(channel), data]).catch(() => {
      // The session ended: what is still sent is dropped, as to a process that exited.
    });

  const result = demultiplex(ws, sinks).then(
    () => {
      if (closedByCaller && status.length === 0)
        throw new RequestAbortedError(info, `${info.method} ${info.path} → closed by the caller`);
      if (status.length === 0)
        throw new StreamError(
          info,
          `${info.method} ${info.path} → the connection closed before the command's exit status`,
        );
      return resultOf(info, status.text());
    },
    (error: unknown) => {
      throw closedByCaller && !(error instanceof RequestAbortedError)
        ? new RequestAbortedError(info, `${info.method} ${info.path} → closed by the caller`, {
            cause: error,
          })
        : error;
    },
  );
  // Also marks `result` as handled: a caller who never awaits it gets no unhandled rejection.
  const cleanup = () => {
    settled = true;
    stdout?.finish();
    stderr?.finish();
    void ws.close();
  };
  result.then(cleanup, cleanup);

  const stdin = wants.stdin
    ? new Writable({
        write(chunk: Buffer, _encoding, callback) {
          void send(STDIN, chunk).then(() => callback());
        },
        final(callback) {
          // v5 half-closes stdin; v4 cannot say so (the process sees it open until the end).
          if (ws.protocol === V5)
            void send(CLOSE_SIGNAL, Uint8Array.of(STDIN)).then(() => callback());
          else callback();
        },
      })
    : null;

  const resize = async (size: TerminalSize) => {
    if (!tty) throw new TypeError("resize() needs a session with tty");
    const width = Math.trunc(size.width);
    const height = Math.trunc(size.height);
    if (!(width >= 0 && width <= 0xffff && height >= 0 && height <= 0xffff))
      throw new TypeError(`a terminal size of ${size.width}×${size.height} is not valid`);
    await send(RESIZE, Buffer.from(JSON.stringify({ Width: width, Height: height })));
  };
  if (tty && options.terminalSize) void resize(options.terminalSize).catch(() => {});

  return {
    protocol: ws.protocol,
    stdin,
    stdout,
    stderr,
    result,
    resize,
    async close() {
      if (!settled) closedByCaller = true;
      await ws.close();
    },
  };
}
