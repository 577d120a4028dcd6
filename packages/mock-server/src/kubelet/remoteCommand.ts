// Exec and attach sessions as the kubelet serves them over WebSocket
// (k8s.io/kubelet/pkg/cri/streaming/remotecommand/{websocket,exec,attach,httpstream}.go, v1.28):
// channels stdin 0, stdout 1, stderr 2, error 3, resize 4; an empty message on the lowest writable
// channel once open; the result as a Status on the error channel (v4: JSON, exit codes as
// `NonZeroExitCode`; older protocols: the failure's text only); then the connection closes.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { WebSocket } from "ws";
import type { StreamUpgrade } from "../http/upgrade.js";
import { ChannelConnection, V4, V4_BASE64, V5 } from "./channels.js";
import {
  CommandNotFoundError,
  type ProcessIO,
  runCommand,
  StdinReader,
  type TerminalSize,
} from "./commands.js";
import type { Console, KubeletState } from "./kubelet.js";

/** `remotecommand.Options`: the streams asked for (tty drops stderr, as the kubelet does). */
export interface StreamOptions {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

/** The container an exec or attach runs in. */
export interface ContainerRef {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** The container's environment (spec `env` values), with the image's basics. */
  readonly env: Readonly<Record<string, string>>;
}

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;

/** A metav1.Status as `json.Marshal` writes it on the error channel (no kind or apiVersion). */
type ChannelStatus = Record<string, unknown> & { status: "Success" | "Failure"; message?: string };

const SUCCESS: ChannelStatus = { metadata: {}, status: "Success" };

/** `apierrors.NewInternalError(err)`. */
const internalError = (message: string): ChannelStatus => ({
  metadata: {},
  status: "Failure",
  message: `Internal error occurred: ${message}`,
  reason: "InternalError",
  details: { causes: [{ message }] },
  code: 500,
});

/** ServeExec's status for an exit code; containerd's `error executing command %v, exit code %d`. */
function exitStatus(command: readonly string[], code: number): ChannelStatus {
  if (code === 0) return SUCCESS;
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

/** Opens the channels, sends the "connected" message and wires resize events. */
function open(
  kubelet: KubeletState,
  ws: WebSocket,
  protocol: string,
  options: StreamOptions,
  onResize: (size: TerminalSize) => void,
): ChannelConnection {
  const connection = new ChannelConnection(ws, protocol, [
    options.stdin ? "read" : "ignore",
    options.stdout ? "write" : "ignore",
    options.stderr ? "write" : "ignore",
    "write",
    "read",
  ]);
  kubelet.track(connection);
  void connection.write(
    options.stdout ? STDOUT : options.stderr ? STDERR : ERROR,
    new Uint8Array(0),
  );
  void readResizes(connection, onResize);
  return connection;
}

/** `handleResizeEvents`: a stream of JSON `{"Width":w,"Height":h}`; a malformed one ends it. */
async function readResizes(connection: ChannelConnection, onResize: (size: TerminalSize) => void) {
  let text = "";
  for await (const chunk of connection.reader(RESIZE)) {
    text += chunk.toString();
    if (text.length > 4096) return;
    for (let end = text.indexOf("}"); end !== -1; end = text.indexOf("}")) {
      try {
        const size = JSON.parse(text.slice(0, end + 1)) as { Width?: unknown; Height?: unknown };
        onResize({ width: Number(size.Width) || 0, height: Number(size.Height) || 0 });
      } catch {
        return;
      }
      text = text.slice(end + 1);
    }
  }
}

/** Writes the result and closes, as the kubelet's `writeStatus` then `conn.Close()`. */
async function finish(connection: ChannelConnection, status: ChannelStatus): Promise<void> {
  const v4 = [V4, V4_BASE64, V5].includes(connection.protocol);
  if (v4) await connection.write(ERROR, Buffer.from(JSON.stringify(status)));
  else if (status.status === "Failure")
    await connection.write(ERROR, Buffer.from(status.message ?? ""));
  connection.close();
}

/** A pty's output processing (`onlcr`): a `\n` not after `\r` becomes `\r\n`. */
function onlcr(data: string | Uint8Array): Buffer {
  const bytes = Buffer.from(data);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte === 0x0a && bytes[i - 1] !== 0x0d) out.push(0x0d);
    out.push(byte);
  }
  return Buffer.from(out);
}

/** An exec session: the simulated command (or a host process for marked pods), its status, the close. */
export function execSession(
  kubelet: KubeletState,
  ref: ContainerRef,
  command: readonly string[],
  options: StreamOptions,
): StreamUpgrade {
  return {
    protocols: kubelet.remoteCommandProtocols,
    serve(ws, protocol) {
      let size: TerminalSize | undefined;
      const connection = open(kubelet, ws, protocol, options, (next) => {
        size = next;
      });
      const ended = new AbortController();
      void connection.closed.then(() => ended.abort());
      const io: ProcessIO = {
        stdin: new StdinReader(connection.reader(STDIN)),
        write: (stream, data) =>
          options.tty
            ? connection.write(STDOUT, onlcr(data))
            : connection.write(stream === 1 ? STDOUT : STDERR, Buffer.from(data)),
        env: { ...ref.env, ...(options.tty ? { TERM: "xterm" } : {}) },
        terminalSize: () => (options.tty ? (size ?? { width: 80, height: 24 }) : undefined),
        signal: ended.signal,
      };
      const run = kubelet.runsOnHost(ref.namespace, ref.pod)
        ? runOnHost(command, io, connection)
        : runCommand(command, io);
      run.then(
        (code) => finish(connection, exitStatus(command, code)),
        (error: unknown) => {
          const why =
            error instanceof CommandNotFoundError
              ? `failed to exec in container: failed to start exec "${randomBytes(32).toString("hex")}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${error.message}": executable file not found in $PATH: unknown`
              : (error as Error).message;
          return finish(connection, internalError(`error executing command in container: ${why}`));
        },
      );
    },
  };
}

/** A real process for a pod the test marked: argv as given, no shell; killed when the session ends. */
function runOnHost(
  command: readonly string[],
  io: ProcessIO,
  connection: ChannelConnection,
): Promise<number> {
  const [file = "", ...args] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...io.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new CommandNotFoundError(file) : error),
    );
    const pump = async (from: NodeJS.ReadableStream, stream: 1 | 2) => {
      for await (const chunk of from) await io.write(stream, chunk as Buffer);
    };
    const output = Promise.all([pump(child.stdout, 1), pump(child.stderr, 2)]);
    connection
      .reader(STDIN)
      .pipe(child.stdin)
      .on("error", () => {});
    const kill = () => child.kill("SIGKILL");
    io.signal.addEventListener("abort", kill, { once: true });
    child.on("close", (code, signal) => {
      io.signal.removeEventListener("abort", kill);
      void output.finally(() => resolve(code ?? (signal ? 128 + (signalNumbers[signal] ?? 9) : 1)));
    });
  });
}

const signalNumbers: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 };

/** An attach session: the container's console, until the client leaves or the process exits. */
export function attachSession(
  kubelet: KubeletState,
  console: Console,
  options: StreamOptions,
): StreamUpgrade {
  return {
    protocols: kubelet.remoteCommandProtocols,
    serve(ws, protocol) {
      const connection = open(kubelet, ws, protocol, options, () => {});
      const write = (channel: number) => (data: Buffer) =>
        void connection.write(options.tty ? STDOUT : channel, options.tty ? onlcr(data) : data);
      const detach = console.attach({
        stdout: write(STDOUT),
        stderr: write(STDERR),
        exit: () => {
          detach();
          void finish(connection, SUCCESS);
        },
      });
      void connection.closed.then(detach);
      void (async () => {
        for await (const chunk of connection.reader(STDIN)) console.input(chunk as Buffer);
      })();
    },
  };
}
