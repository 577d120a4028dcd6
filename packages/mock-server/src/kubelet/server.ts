// The kubelet's own streaming paths, for an API server that proxies to it (a real kube-apiserver whose
// Node points here): `/exec/{namespace}/{pod}[/{uid}]/{container}`, `/attach/…`, `/portForward/{namespace}/{pod}[/{uid}]`
// with the options the apiserver sends (`input`, `output`, `error`, `tty` as `1`; `command` repeated;
// `port`), as `pkg/kubelet/server/server.go` routes them. The pod is taken as named: this kubelet has no
// pod list of its own (it does not check that the pod runs here) and does not authenticate the caller.
import { isWebSocketRequest, upgradeResponse } from "../http/upgrade.js";
import type { KubeletState } from "./kubelet.js";
import { portForwardSession } from "./portForward.js";
import { attachSession, execSession, type StreamOptions } from "./remoteCommand.js";

const plain = (code: number, message: string) =>
  new Response(message, { status: code, headers: { "content-type": "text/plain; charset=utf-8" } });

/** Answers one request to the kubelet's streaming paths. */
export function kubeletAnswer(kubelet: KubeletState, request: Request): Response {
  const url = new URL(request.url);
  let parts: string[];
  try {
    parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return plain(404, "404 page not found");
  }
  const [kind, namespace = "", pod = "", ...rest] = parts;
  const query = url.searchParams;
  const remote = kind === "exec" || kind === "attach";
  if (
    !(remote && (rest.length === 1 || rest.length === 2)) &&
    !(kind === "portForward" && rest.length <= 1)
  )
    return plain(404, "404 page not found");
  if (!isWebSocketRequest(request))
    return plain(
      400,
      "the simulated kubelet speaks WebSocket only: SPDY and plain requests are not simulated",
    );
  if (kind === "portForward") {
    // `NewV4Options`.
    const values = query.getAll("port");
    if (values.length === 0) return plain(400, 'query parameter "port" is required');
    const ports: number[] = [];
    for (const value of values) {
      if (value === "") return plain(400, 'query parameter "port" cannot be empty');
      for (const part of value.split(",")) {
        const port = /^\d{1,5}$/.test(part) ? Number(part) : Number.NaN;
        if (!(port <= 65535))
          return plain(
            400,
            `unable to parse ${JSON.stringify(value)} as a port: strconv.ParseUint: parsing ${JSON.stringify(part)}: invalid syntax`,
          );
        if (port < 1) return plain(400, `port ${JSON.stringify(value)} must be > 0`);
        ports.push(port);
      }
    }
    return upgradeResponse(
      portForwardSession(
        kubelet,
        { namespace, name: pod, uid: rest[0] ?? `${namespace}/${pod}` },
        ports,
      ),
    );
  }
  const container = rest.at(-1) as string;
  // `NewOptions`: "1" means yes; a tty drops stderr.
  const tty = query.get("tty") === "1";
  const options: StreamOptions = {
    stdin: query.get("input") === "1",
    stdout: query.get("output") === "1",
    stderr: query.get("error") === "1" && !tty,
    tty,
  };
  if (!options.stdin && !options.stdout && !options.stderr)
    return plain(400, "you must specify at least 1 of stdin, stdout, stderr");
  if (kind === "attach")
    return upgradeResponse(
      attachSession(kubelet, kubelet.console(namespace, pod, container), options),
    );
  const command = query.getAll("command");
  if (command.length === 0) return plain(500, "command is required");
  return upgradeResponse(
    execSession(kubelet, { namespace, pod, container, env: { HOSTNAME: pod } }, command, options),
  );
}
