// The simulated container's commands: a few programs and a tiny `sh`, run in this process against the
// session's streams — never a process on the host. Enough for what clients of exec do in tests:
// output on both streams, stdin until it closes, exit codes, the terminal's size, long runs.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";

/** A terminal size, as the resize channel sends it. */
export interface TerminalSize {
  readonly width: number;
  readonly height: number;
}

/** What a simulated process sees. */
export interface ProcessIO {
  /** Standard input, read through {@link StdinReader}. */
  readonly stdin: StdinReader;
  /** Writes to stdout (1) or stderr (2); resolves when the client can take more. */
  write(stream: 1 | 2, data: string | Uint8Array): Promise<void>;
  readonly env: Readonly<Record<string, string>>;
  /** The terminal's size, when the session has a tty and the client sent one. */
  terminalSize(): TerminalSize | undefined;
  /** Aborted when the session ends (the client went away): the process stops. */
  readonly signal: AbortSignal;
}

/** The executable is not in the simulated image (containerd's `executable file not found in $PATH`). */
export class CommandNotFoundError extends Error {}

/** Bytes `read` and line reads hold at most: a longer line is cut. */
const MAX_LINE = 64 * 1024;

/** Standard input read in chunks or lines, in turn. */
export class StdinReader {
  #iterator: AsyncIterator<Buffer>;
  #pending: Buffer | undefined;
  #ended = false;

  constructor(stream: Readable) {
    this.#iterator = stream[Symbol.asyncIterator]();
  }

  /** The next chunk, `undefined` at the end. */
  async chunk(): Promise<Buffer | undefined> {
    if (this.#pending) {
      const chunk = this.#pending;
      this.#pending = undefined;
      return chunk;
    }
    if (this.#ended) return undefined;
    const next = await this.#iterator.next();
    if (next.done) {
      this.#ended = true;
      return undefined;
    }
    return next.value;
  }

  /** The next line without its newline (a tty's `\r` too), `undefined` at the end. */
  async line(): Promise<string | undefined> {
    const parts: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = await this.chunk();
      if (chunk === undefined) return parts.length ? Buffer.concat(parts).toString() : undefined;
      const newline = chunk.findIndex((byte) => byte === 0x0a || byte === 0x0d);
      if (newline === -1) {
        if (length < MAX_LINE) parts.push(chunk.subarray(0, MAX_LINE - length));
        length += chunk.length;
        continue;
      }
      parts.push(chunk.subarray(0, newline));
      let rest = chunk.subarray(newline + 1);
      if (chunk[newline] === 0x0d && rest[0] === 0x0a) rest = rest.subarray(1);
      if (rest.length > 0) this.#pending = rest;
      return Buffer.concat(parts).toString();
    }
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

/** `printf`'s format: `%s`, `%d`, `%%`, `\n`, `\t`, `\\`; the format is reused while arguments remain. */
function printf(format: string, args: string[]): string {
  let out = "";
  let index = 0;
  do {
    out += format.replace(/%([sd%])|\\([nt\\])/g, (_m, conversion, escaped) => {
      if (escaped) return escaped === "n" ? "\n" : escaped === "t" ? "\t" : "\\";
      if (conversion === "%") return "%";
      const value = args[index++] ?? "";
      return conversion === "d" ? String(Number.parseInt(value, 10) || 0) : value;
    });
  } while (index < args.length && /%[sd]/.test(format));
  return out;
}

type Program = (args: string[], io: ProcessIO, shell: Shell) => Promise<number>;

const PROGRAMS: Record<string, Program> = {
  true: async () => 0,
  false: async () => 1,
  echo: async (args, io) => {
    const newline = args[0] !== "-n";
    await io.write(1, `${(newline ? args : args.slice(1)).join(" ")}${newline ? "\n" : ""}`);
    return 0;
  },
  printf: async (args, io) => {
    await io.write(1, printf(args[0] ?? "", args.slice(1)));
    return 0;
  },
  hostname: async (_args, io) => {
    await io.write(1, `${io.env.HOSTNAME ?? ""}\n`);
    return 0;
  },
  env: async (_args, io) => {
    const lines = Object.entries(io.env).map(([key, value]) => `${key}=${value}\n`);
    await io.write(1, lines.join(""));
    return 0;
  },
  sleep: async (args, io) => {
    const seconds = Number(args[0]);
    if (!Number.isFinite(seconds) || seconds < 0) {
      await io.write(2, `sleep: invalid time interval '${args[0] ?? ""}'\n`);
      return 1;
    }
    await sleep(seconds * 1000, io.signal);
    return 0;
  },
  cat: async (args, io) => {
    if (args.length > 0 && args[0] !== "-") {
      await io.write(2, `cat: ${args[0]}: No such file or directory\n`);
      return 1;
    }
    for (let chunk = await io.stdin.chunk(); chunk; chunk = await io.stdin.chunk()) {
      await io.write(1, chunk);
    }
    return 0;
  },
  head: async (args, io) => {
    const count = args[0] === "-c" ? Number(args[1]) : Number.NaN;
    if (!Number.isSafeInteger(count) || count < 0) {
      await io.write(2, "head: only -c N is simulated\n");
      return 1;
    }
    let left = count;
    while (left > 0) {
      const chunk = await io.stdin.chunk();
      if (!chunk) break;
      await io.write(1, chunk.subarray(0, left));
      left -= Math.min(left, chunk.length);
    }
    return 0;
  },
  wc: async (args, io) => {
    if (args[0] !== "-c") {
      await io.write(2, "wc: only -c is simulated\n");
      return 1;
    }
    let count = 0;
    for (let chunk = await io.stdin.chunk(); chunk; chunk = await io.stdin.chunk())
      count += chunk.length;
    await io.write(1, `${count}\n`);
    return 0;
  },
  sha256sum: async (_args, io) => {
    const hash = createHash("sha256");
    for (let chunk = await io.stdin.chunk(); chunk; chunk = await io.stdin.chunk())
      hash.update(chunk);
    await io.write(1, `${hash.digest("hex")}  -\n`);
    return 0;
  },
  stty: async (args, io) => {
    const size = io.terminalSize();
    if (args[0] !== "size") {
      await io.write(2, "stty: only `stty size` is simulated\n");
      return 1;
    }
    if (!size) {
      await io.write(2, "stty: 'standard input': Inappropriate ioctl for device\n");
      return 1;
    }
    await io.write(1, `${size.height} ${size.width}\n`);
    return 0;
  },
  read: async (args, io, shell) => {
    const line = await io.stdin.line();
    if (args[0]) shell.variables[args[0]] = line ?? "";
    return line === undefined ? 1 : 0;
  },
  sh: async (args, io, shell) => {
    if (args[0] === "-c") {
      if (args[1] === undefined) {
        await io.write(2, "sh: 0: -c requires an argument\n");
        return 2;
      }
      return new Shell(io, shell.variables).run(args[1]);
    }
    // Interactive: one line of stdin at a time, until `exit` or the end of stdin.
    const child = new Shell(io, shell.variables);
    let status = 0;
    for (let line = await io.stdin.line(); line !== undefined; line = await io.stdin.line()) {
      status = await child.run(line);
      if (child.exited || io.signal.aborted) break;
    }
    return status;
  },
};
PROGRAMS.bash = PROGRAMS.sh as Program;

/** The programs the simulated image holds. */
export const SIMULATED_PROGRAMS = Object.keys(PROGRAMS).sort();

interface SimpleCommand {
  /** The command's text, expanded only when it runs (so `$?` is the previous command's status). */
  text: string;
  /** How it joins the command before it. */
  join: ";" | "&&" | "||";
}

/** A tiny POSIX-like shell: `;`, `&&`, `||`, newlines, quotes, `$VAR`/`${VAR}`/`$?`, `>&2`, `exit`. */
class Shell {
  status = 0;
  exited = false;
  readonly variables: Record<string, string>;

  constructor(
    readonly io: ProcessIO,
    variables: Record<string, string>,
  ) {
    this.variables = variables;
  }

  #expand(name: string): string {
    if (name === "?") return String(this.status);
    if (name === "$") return "1";
    return this.variables[name] ?? this.io.env[name] ?? "";
  }

  /** Splits a script into commands at `;`, newlines, `&&` and `||` outside quotes. */
  split(script: string): SimpleCommand[] {
    const commands: SimpleCommand[] = [];
    let start = 0;
    let join: SimpleCommand["join"] = ";";
    const cut = (end: number, next: SimpleCommand["join"], skip: number) => {
      const text = script.slice(start, end);
      if (text.trim() !== "") commands.push({ text, join });
      join = next;
      start = end + skip;
    };
    for (let i = 0; i < script.length; i++) {
      const c = script[i];
      if (c === "\\") i++;
      else if (c === "'")
        i = script.indexOf("'", i + 1) === -1 ? script.length : script.indexOf("'", i + 1);
      else if (c === '"') {
        for (i++; i < script.length && script[i] !== '"'; i++) if (script[i] === "\\") i++;
      } else if (c === ";" || c === "\n") cut(i, ";", 1);
      else if ((c === "&" || c === "|") && script[i + 1] === c) {
        cut(i, c === "&" ? "&&" : "||", 2);
        i++;
      }
    }
    cut(script.length, ";", 0);
    return commands;
  }

  /** A command's words, expanded now; `>&2` (or `1>&2`) sends its stdout to stderr. */
  words(text: string): { words: string[]; toStderr: boolean } {
    const words: string[] = [];
    let toStderr = false;
    let word: string | undefined;
    const endWord = () => {
      if (word === undefined) return;
      if (word === ">&2" || word === "1>&2") toStderr = true;
      else if (word !== "2>&1") words.push(word);
      word = undefined;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (c === "'") {
        const end = text.indexOf("'", i + 1);
        word = (word ?? "") + text.slice(i + 1, end === -1 ? undefined : end);
        i = end === -1 ? text.length : end;
      } else if (c === '"') {
        word ??= "";
        for (i++; i < text.length && text[i] !== '"'; i++) {
          const d = text[i] as string;
          if (d === "\\" && /["\\$]/.test(text[i + 1] ?? "")) word += text[++i];
          else if (d === "$") {
            const [name, length] = this.#variableAt(text, i);
            word += name === undefined ? "$" : this.#expand(name);
            i += length - 1;
          } else word += d;
        }
      } else if (c === "\\") {
        word = (word ?? "") + (text[++i] ?? "");
      } else if (c === "$") {
        const [name, length] = this.#variableAt(text, i);
        word = (word ?? "") + (name === undefined ? "$" : this.#expand(name));
        i += length - 1;
      } else if (c === " " || c === "\t") endWord();
      else word = (word ?? "") + c;
    }
    endWord();
    return { words, toStderr };
  }

  /** The variable name at `script[i] === "$"` and how many characters it takes. */
  #variableAt(script: string, i: number): [string | undefined, number] {
    const rest = script.slice(i + 1);
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest);
    if (braced) return [braced[1], (braced[0] as string).length + 1];
    const plain = /^([A-Za-z_][A-Za-z0-9_]*|[?$])/.exec(rest);
    return plain ? [plain[1], (plain[0] as string).length + 1] : [undefined, 1];
  }

  async run(script: string): Promise<number> {
    for (const command of this.split(script)) {
      if (this.exited || this.io.signal.aborted) break;
      if (command.join === "&&" && this.status !== 0) continue;
      if (command.join === "||" && this.status === 0) continue;
      const { words, toStderr } = this.words(command.text);
      if (words.length === 0) continue;
      const [name = "", ...args] = words;
      if (name === "exit") {
        const code = args[0] === undefined ? this.status : Number.parseInt(args[0], 10);
        this.status = Number.isNaN(code) ? 2 : code & 0xff;
        this.exited = true;
        break;
      }
      const io: ProcessIO = toStderr
        ? { ...this.io, write: (_stream, data) => this.io.write(2, data) }
        : this.io;
      const program = PROGRAMS[name.slice(name.lastIndexOf("/") + 1)];
      if (!program) {
        await this.io.write(2, `sh: 1: ${name}: not found\n`);
        this.status = 127;
        continue;
      }
      this.status = await program(args, io, this);
    }
    return this.status;
  }
}

/**
 * Runs `argv` in the simulated container and resolves with its exit code.
 * @throws {CommandNotFoundError} when `argv[0]` is not a simulated program.
 */
export async function runCommand(argv: readonly string[], io: ProcessIO): Promise<number> {
  const [name = "", ...args] = argv;
  const program = PROGRAMS[name.slice(name.lastIndexOf("/") + 1)];
  if (!program) throw new CommandNotFoundError(name);
  return program(args, io, new Shell(io, {}));
}
