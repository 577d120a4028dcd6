// The connect subresources of pods — exec, attach, portforward — as kube-apiserver v1.28 serves them
// before it proxies to the node's kubelet: options decoded from the query (`ConnectResource`, the
// `url.Values` conversions), the pod, the container and the node (`pkg/registry/core/pod/strategy.go`
// `streamLocation`/`PortForwardLocation`), then a WebSocket upgrade is required (the upgrade-aware
// proxy's `Upgrade request required`). The simulated kubelet's own refusals follow (its plain-text
// 400/500 answers, passed through as the proxy does), then the session.
import type { KubeObject } from "@kin/resources";
import { fail } from "../http/responses.js";
import type { Target } from "../http/routing.js";
import * as status from "../http/status.js";
import { isWebSocketRequest, upgradeResponse } from "../http/upgrade.js";
import type { KubeletState } from "../kubelet/kubelet.js";
import { portForwardSession } from "../kubelet/portForward.js";
import { attachSession, execSession, type StreamOptions } from "../kubelet/remoteCommand.js";
import type { ObjectStore } from "../registry/store.js";

interface PodShape {
  metadata?: { name?: string; namespace?: string; uid?: string };
  spec?: {
    nodeName?: string;
    containers?: { name: string; env?: { name: string; value?: string }[] }[];
    initContainers?: { name: string }[];
    ephemeralContainers?: { name: string }[];
  };
  status?: {
    phase?: string;
    containerStatuses?: { name: string; state?: { running?: unknown } }[];
  };
}

/** The kubelet's plain-text answers (restful's `WriteError`, `streaming.WriteError`). */
const plain = (code: number, message: string) =>
  new Response(message, { status: code, headers: { "content-type": "text/plain; charset=utf-8" } });

/** `runtime.Convert_Slice_string_To_bool`: only absent, `0` and `false` (any case) are false. */
const flag = (query: URLSearchParams, name: string) => {
  const value = query.get(name);
  return value !== null && value !== "0" && value.toLowerCase() !== "false";
};

/** `validateContainer`: the named container must exist; without a name, the pod's only container. */
function validateContainer(pod: PodShape, name: string): string {
  const podName = pod.metadata?.name ?? "";
  const containers = pod.spec?.containers ?? [];
  if (name === "") {
    if (containers.length === 1) return (containers[0] as { name: string }).name;
    if (containers.length === 0)
      throw new status.StatusError(
        status.badRequest(`a container name must be specified for pod ${podName}`),
      );
    const all = [
      ...(pod.spec?.initContainers ?? []),
      ...containers,
      ...(pod.spec?.ephemeralContainers ?? []),
    ].map((c) => c.name);
    throw new status.StatusError(
      status.badRequest(
        `a container name must be specified for pod ${podName}, choose one of: [${all.join(" ")}]`,
      ),
    );
  }
  const known = [
    ...containers,
    ...(pod.spec?.initContainers ?? []),
    ...(pod.spec?.ephemeralContainers ?? []),
  ];
  if (!known.some((c) => c.name === name))
    throw new status.StatusError(
      status.badRequest(`container ${name} is not valid for pod ${podName}`),
    );
  return name;
}

/** The node the pod runs on must be assigned and exist (`GetConnectionInfo` reads the Node). */
function checkNode(store: ObjectStore, pod: PodShape): void {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName)
    throw new status.StatusError(
      status.badRequest(`pod ${pod.metadata?.name ?? ""} does not have a host assigned`),
    );
  if (!store.get("/v1/nodes", undefined, nodeName))
    throw new status.StatusError(status.notFound({ group: "", resource: "nodes" }, nodeName));
}

const isRunning = (pod: PodShape) => pod.status?.phase === "Running";

/** The container is running (the kubelet finds it among the runtime's containers). */
function containerRunning(pod: PodShape, container: string): boolean {
  if (!isRunning(pod)) return false;
  const statuses = pod.status?.containerStatuses;
  if (!statuses) return (pod.spec?.containers ?? []).some((c) => c.name === container);
  return statuses.some((s) => s.name === container && s.state?.running !== undefined);
}

/** The container's environment as a simulated image sees it. */
function environment(pod: PodShape, container: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOSTNAME: pod.metadata?.name ?? "",
    HOME: "/root",
  };
  const spec = pod.spec?.containers?.find((c) => c.name === container);
  for (const variable of spec?.env ?? []) env[variable.name] = variable.value ?? "";
  return env;
}

/** `ports`: comma-separated lists, as `Convert_Slice_string_To_Slice_int32` then the kubelet parse them. */
function parsePorts(values: string[]): number[] | Response {
  const ports: number[] = [];
  for (const value of values) {
    for (const part of value.split(",")) {
      const port = /^\d{1,5}$/.test(part) ? Number(part) : Number.NaN;
      if (!(port <= 65535))
        return fail(
          status.badRequest(
            `cannot convert to []int32: strconv.ParseUint: parsing ${JSON.stringify(part)}: ${/^\d+$/.test(part) ? "value out of range" : "invalid syntax"}`,
          ),
        );
      ports.push(port);
    }
  }
  return ports;
}

/** Answers a connect request to a pod's `exec`, `attach` or `portforward`. */
export function connect(
  store: ObjectStore,
  kubelet: KubeletState,
  target: Target,
  request: Request,
  query: URLSearchParams,
): Response {
  if (["All", "true"].includes(query.get("dryRun") ?? ""))
    return fail(status.badRequest("dryRun is not supported"));
  const kind = target.subresource as "exec" | "attach" | "portforward";
  const name = target.name as string;
  const namespace = target.namespace as string;
  let ports: number[] = [];
  if (kind === "portforward") {
    const parsed = parsePorts(query.getAll("ports"));
    if (parsed instanceof Response) return parsed;
    ports = parsed;
  }
  const pod = store.get("/v1/pods", namespace, name) as (KubeObject & PodShape) | undefined;
  if (!pod) return fail(status.notFound({ group: "", resource: "pods" }, name));
  const container =
    kind === "portforward" ? "" : validateContainer(pod, query.get("container") ?? "");
  checkNode(store, pod);
  if (!isWebSocketRequest(request)) {
    if ((request.headers.get("upgrade") ?? "") !== "")
      return plain(
        400,
        `the simulated kubelet speaks WebSocket only: ${request.headers.get("upgrade")} upgrades (kubectl's SPDY) are not simulated`,
      );
    return fail(status.badRequest("Upgrade request required"));
  }
  const podFullName = `${name}_${namespace}`;
  if (kind === "portforward") {
    if (ports.length === 0) return plain(400, 'query parameter "ports" is required');
    if (ports.some((port) => port < 1))
      return plain(400, `port ${JSON.stringify(query.getAll("ports").join(","))} must be > 0`);
    if (!isRunning(pod)) return plain(500, `pod not found (${JSON.stringify(podFullName)})`);
    return upgradeResponse(
      portForwardSession(kubelet, { namespace, name, uid: pod.metadata?.uid ?? "" }, ports),
    );
  }
  const tty = flag(query, "tty");
  const options: StreamOptions = {
    stdin: flag(query, "stdin"),
    stdout: flag(query, "stdout"),
    // The kubelet drops stderr with a tty (`NewOptions`).
    stderr: flag(query, "stderr") && !tty,
    tty,
  };
  if (!options.stdin && !options.stdout && !options.stderr)
    return plain(400, "you must specify at least 1 of stdin, stdout, stderr");
  if (kind === "attach") {
    if (!containerRunning(pod, container))
      return plain(500, `container ${container} not found in pod ${podFullName}`);
    return upgradeResponse(
      attachSession(kubelet, kubelet.console(namespace, name, container), options),
    );
  }
  const command = query.getAll("command");
  if (!containerRunning(pod, container))
    return plain(500, `container not found (${JSON.stringify(container)})`);
  if (command.length === 0) return plain(500, "command is required");
  return upgradeResponse(
    execSession(
      kubelet,
      { namespace, pod: name, container, env: environment(pod, container) },
      command,
      options,
    ),
  );
}
