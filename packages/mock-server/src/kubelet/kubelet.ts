// The simulated kubelet behind the connect subresources: what each pod's containers run (simulated
// commands, or real processes for the pods a test marks), their attach consoles, and the ports a test
// maps into pods. One kubelet serves every node; the API server checks the pod, container and node
// before it hands a session here.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { type ChannelConnection, V4, V4_BASE64, V5 } from "./channels.js";

/** Where a pod's port leads: a TCP address on this machine (a test's server). */
export interface PortTarget {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  readonly port: number;
}

/** A container's main process as attach sees it; the test plays the process. */
export interface ContainerConsole {
  /** Writes to the process's stdout (or stderr): every session attached with that stream gets it. */
  write(data: string | Uint8Array, stream?: "stdout" | "stderr"): void;
  /** Replaces what happens to stdin from attached sessions (default: echoed to stdout, as `cat`). */
  onInput(listener: (data: Buffer) => void): void;
  /** The process ends: attached sessions get their Success status and close. */
  exit(): void;
  /** Sessions attached now. */
  readonly attached: number;
}

/** The test-facing side of the simulated kubelet (`apiServer.kubelet`). */
export interface SimulatedKubelet {
  /**
   * Maps `port` of a pod to `target`: port-forward connections to it are connected there. Returns
   * the undo. Unmapped ports are refused as a container with nothing listening refuses them.
   */
  forwardPort(namespace: string, pod: string, port: number, target: PortTarget): () => void;
  /** The console of a container's main process, for attach (made on first use). */
  console(namespace: string, pod: string, container: string): ContainerConsole;
  /**
   * Exec in this pod runs real processes on this machine (argv as given, no shell, the container's
   * `env`), for tests that need one; every other pod runs the simulated commands. Returns the undo.
   */
  runOnHost(namespace: string, pod: string): () => void;
  /** Streaming sessions open now (exec, attach, port-forward connections). */
  readonly sessions: number;
}

/** Sessions' connections, to end them with the server. */
export class KubeletState implements SimulatedKubelet {
  readonly #ports = new Map<string, PortTarget>();
  readonly #consoles = new Map<string, Console>();
  readonly #hostPods = new Set<string>();
  readonly #open = new Set<ChannelConnection>();
  /** Subprotocols of exec and attach (the kubelet's, and v5 when the server translates it). */
  readonly remoteCommandProtocols: readonly string[];
  /** Subprotocols of port-forward over WebSocket. */
  readonly portForwardProtocols: readonly string[] = ["", V4, V4_BASE64];

  constructor(v5: boolean) {
    this.remoteCommandProtocols = [
      ...(v5 ? [V5] : []),
      V4,
      V4_BASE64,
      "channel.k8s.io",
      "base64.channel.k8s.io",
      "",
    ];
  }

  get sessions(): number {
    return this.#open.size;
  }

  /** Counts a session until its socket closes. */
  track(connection: ChannelConnection): void {
    this.#open.add(connection);
    void connection.closed.then(() => this.#open.delete(connection));
  }

  forwardPort(namespace: string, pod: string, port: number, target: PortTarget): () => void {
    const key = `${namespace}/${pod}:${port}`;
    this.#ports.set(key, target);
    return () => {
      if (this.#ports.get(key) === target) this.#ports.delete(key);
    };
  }

  portTarget(namespace: string, pod: string, port: number): PortTarget | undefined {
    return this.#ports.get(`${namespace}/${pod}:${port}`);
  }

  console(namespace: string, pod: string, container: string): Console {
    const key = `${namespace}/${pod}/${container}`;
    let found = this.#consoles.get(key);
    if (!found) {
      found = new Console();
      this.#consoles.set(key, found);
    }
    return found;
  }

  runOnHost(namespace: string, pod: string): () => void {
    const key = `${namespace}/${pod}`;
    this.#hostPods.add(key);
    return () => this.#hostPods.delete(key);
  }

  runsOnHost(namespace: string, pod: string): boolean {
    return this.#hostPods.has(`${namespace}/${pod}`);
  }

  /** Ends every session (the server is closing). */
  closeAll(): void {
    for (const connection of this.#open) connection.terminate();
    this.#open.clear();
  }
}

/** One attached session's side of a console. */
export interface ConsoleSession {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  exit(): void;
}

/** A container's main process, played by the test (default: `cat`). */
export class Console implements ContainerConsole {
  readonly #sessions = new Set<ConsoleSession>();
  #input: (data: Buffer) => void = (data) => this.write(data);

  get attached(): number {
    return this.#sessions.size;
  }

  write(data: string | Uint8Array, stream: "stdout" | "stderr" = "stdout"): void {
    const bytes = Buffer.from(data);
    for (const session of this.#sessions) session[stream](bytes);
  }

  onInput(listener: (data: Buffer) => void): void {
    this.#input = listener;
  }

  exit(): void {
    for (const session of [...this.#sessions]) session.exit();
  }

  /** Attaches a session; returns the detach. */
  attach(session: ConsoleSession): () => void {
    this.#sessions.add(session);
    return () => this.#sessions.delete(session);
  }

  /** Input from an attached session's stdin. */
  input(data: Buffer): void {
    this.#input(data);
  }
}

/** The pod's sandbox id as containerd names it (64 hex digits), derived from its uid. */
export const sandboxId = (uid: string) => createHash("sha256").update(uid).digest("hex");

/** An empty, ended stream: stdin of a session that did not ask for one. */
export const noInput = () => Readable.from([]);
