import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ServiceAccountTokenOptions } from "@kin/mock-server";
import { buildKubeApiServer, type KubeApiServerBinaries } from "../scripts/build.mjs";
import { compactEtcd, type Etcd, startEtcd } from "./etcd.js";
import { type HttpAnswer, httpCall } from "./https.js";
import { createPki, type Pki } from "./pki.js";
import { freePort } from "./ports.js";
import {
  describeExit,
  releaseDir,
  type ServerProcess,
  startServerProcess,
  trackDir,
} from "./processes.js";

/** `--service-account-issuer` (and so the default audience): what a kubeadm cluster uses. */
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";
/** `--service-cluster-ip-range` (kubeadm's default); the `kubernetes` Service gets its first address. */
export const SERVICE_CLUSTER_IP_RANGE = "10.96.0.0/12";
const SERVICE_IP = "10.96.0.1";
/** The static token file's user: in `system:masters`, so allowed everything, RBAC or not. */
export const ADMIN_USER = "kin-admin";

export interface KubeApiServerOptions {
  /**
   * Also run kube-controller-manager (as `system:kube-controller-manager`, with a client certificate, one
   * service account per controller as kubeadm sets it up): namespaces finish terminating, the garbage
   * collector runs, every namespace gets its `default` ServiceAccount and `kube-root-ca.crt` ConfigMap,
   * Deployments make ReplicaSets and pods. Without it the `ServiceAccount` admission plugin is turned off
   * (pods would need a `default` ServiceAccount no one creates). Default true.
   */
  controllerManager?: boolean;
  /** `--feature-gates` of kube-apiserver, e.g. `{ WatchList: true }`. Default none (v1.28's defaults). */
  featureGates?: Readonly<Record<string, boolean>>;
  /** More kube-apiserver flags, after the launcher's (the later of two equal flags wins). */
  apiServerArgs?: readonly string[];
  /** Until etcd, kube-apiserver (`/readyz`) and the controller manager are ready. Default 120 000. */
  startTimeoutMs?: number;
  /** The binaries. Default: {@link buildKubeApiServer}'s (from the cache, or built now: many minutes). */
  binaries?: Pick<KubeApiServerBinaries, "kubeApiServer" | "kubeControllerManager" | "etcd">;
}

/** A client certificate and key (PEM) for a user, signed by the cluster CA. */
export interface ClientCertificate {
  readonly cert: string;
  readonly key: string;
}

/**
 * A running kube-apiserver with its etcd. It has the shape of the mock server's HTTPS listener (`url`,
 * `host`, `port`, `ca`, `close()`), so `credentialsFor(server, token)` of `@kin/mock-server` and any test
 * written for a listener take it too.
 */
export interface KubeApiServer {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** `127.0.0.1`. The server listens on every address (`--bind-address=::`), so `[::1]` works too. */
  readonly host: string;
  readonly port: number;
  /** `https://[::1]:<port>`: the same server over IPv6. */
  readonly ipv6Url: string;
  /** The cluster CA (PEM): signs the serving certificate and client certificates. */
  readonly ca: string;
  /** A bearer token of {@link ADMIN_USER} in `system:masters` (from `--token-auth-file`). */
  readonly adminToken: string;
  /** etcd's client URL (plain HTTP on loopback). */
  readonly etcdUrl: string;
  /** The server's temporary folder (etcd data, certificates, keys, logs); removed by `stop()`. */
  readonly dir: string;
  /** Whether kube-controller-manager runs. */
  readonly controllerManager: boolean;
  /**
   * A bound service-account token from the TokenRequest API (`kubectl create token`): the ServiceAccount is
   * created if missing (its namespace must exist); with `pod`, bound to that pod (it must exist). The
   * same options as the mock server's `issueServiceAccountToken`; the real server refuses an
   * `expirationSeconds` under 600.
   */
  issueServiceAccountToken(options: ServiceAccountTokenOptions): Promise<string>;
  /** A client certificate for `user` in `groups` (`O=`), for mutual TLS (`--client-ca-file` is the CA). */
  issueClientCertificate(identity: { user: string; groups?: string[] }): Promise<ClientCertificate>;
  /**
   * Compacts etcd up to its current revision and resolves to it: continue tokens of lists served before
   * answer 410 `Expired` afterwards.
   */
  compact(): Promise<number>;
  /** Stops every process (SIGTERM, then SIGKILL) and removes the folder. Idempotent. */
  stop(): Promise<void>;
  /** {@link stop}, named as the mock's listener names it. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starting failed: names the process and carries the end of its log. */
export class KubeApiServerStartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KubeApiServerStartError";
  }
}

class PortTaken extends Error {}

const status = (answer: HttpAnswer) => {
  try {
    const body = JSON.parse(answer.body) as { message?: string };
    return `${answer.status}${body.message ? `: ${body.message}` : ""}`;
  } catch {
    return `${answer.status}: ${answer.body.slice(0, 300)}`;
  }
};

class RunningKubeApiServer implements KubeApiServer {
  readonly url: string;
  readonly host = "127.0.0.1";
  readonly ipv6Url: string;
  readonly ca: string;
  readonly etcdUrl: string;
  readonly controllerManager: boolean;
  readonly #token: string;
  readonly #pki: Pki;
  readonly #processes: ServerProcess[];
  #stopping: Promise<void> | undefined;

  constructor(
    readonly port: number,
    readonly dir: string,
    token: string,
    pki: Pki,
    etcd: Etcd,
    processes: ServerProcess[],
    controllerManager: boolean,
  ) {
    this.url = `https://127.0.0.1:${port}`;
    this.ipv6Url = `https://[::1]:${port}`;
    this.ca = pki.authority.ca;
    this.etcdUrl = etcd.url;
    this.controllerManager = controllerManager;
    this.#token = token;
    this.#pki = pki;
    this.#processes = processes;
  }

  get adminToken(): string {
    return this.#token;
  }

  /** A request as the admin. */
  async #call(method: string, path: string, body?: unknown): Promise<HttpAnswer> {
    return httpCall(new URL(path, this.url), {
      method,
      ca: this.ca,
      headers: {
        authorization: `Bearer ${this.#token}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async issueServiceAccountToken(options: ServiceAccountTokenOptions): Promise<string> {
    const ns = encodeURIComponent(options.namespace);
    const name = encodeURIComponent(options.name);
    const what = `service account ${options.namespace}/${options.name}`;
    const created = await this.#call("POST", `/api/v1/namespaces/${ns}/serviceaccounts`, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: options.name },
    });
    if (created.status !== 201 && created.status !== 409)
      throw new Error(`creating ${what} failed: ${status(created)}`);
    let boundObjectRef: { apiVersion: string; kind: string; name: string; uid: string } | undefined;
    if (options.pod !== undefined) {
      const pod = await this.#call(
        "GET",
        `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(options.pod)}`,
      );
      if (pod.status !== 200)
        throw new Error(`pod ${options.namespace}/${options.pod}: ${status(pod)}`);
      const uid = (JSON.parse(pod.body) as { metadata: { uid: string } }).metadata.uid;
      boundObjectRef = { apiVersion: "v1", kind: "Pod", name: options.pod, uid };
    }
    const answer = await this.#call(
      "POST",
      `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`,
      {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: {
          audiences: options.audiences ?? null,
          expirationSeconds: options.expirationSeconds ?? 3600,
          boundObjectRef: boundObjectRef ?? null,
        },
      },
    );
    if (answer.status !== 201)
      throw new Error(`TokenRequest for ${what} failed: ${status(answer)}`);
    const token = (JSON.parse(answer.body) as { status?: { token?: unknown } }).status?.token;
    if (typeof token !== "string" || token === "")
      throw new Error(`TokenRequest for ${what} answered no status.token`);
    return token;
  }

  issueClientCertificate(identity: {
    user: string;
    groups?: string[];
  }): Promise<ClientCertificate> {
    return this.#pki.authority.issue({
      commonName: identity.user,
      organizations: identity.groups ?? [],
      usage: "client",
    });
  }

  compact(): Promise<number> {
    return compactEtcd(this.etcdUrl);
  }

  stop(): Promise<void> {
    this.#stopping ??= stopAll(this.#processes, this.dir);
    return this.#stopping;
  }

  close(): Promise<void> {
    return this.stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** Stops the processes, the last started first (the apiserver before its etcd), then removes `dir`. */
async function stopAll(processes: readonly ServerProcess[], dir: string): Promise<void> {
  for (const process of [...processes].reverse()) await process.stop();
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  releaseDir(dir);
}

const kubeconfig = (server: string, caFile: string, certFile: string, keyFile: string) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "kin", cluster: { server, "certificate-authority": caFile } }],
    users: [{ name: "user", user: { "client-certificate": certFile, "client-key": keyFile } }],
    contexts: [{ name: "kin", context: { cluster: "kin", user: "user" } }],
    "current-context": "kin",
  });

async function waitReady(
  url: string,
  ca: string,
  token: string,
  apiServer: ServerProcess,
  deadline: number,
): Promise<void> {
  let last = "no answer yet";
  for (;;) {
    const exit = apiServer.exit();
    if (exit) {
      const log = await apiServer.logTail();
      if (/address already in use/.test(log)) throw new PortTaken();
      throw new KubeApiServerStartError(
        `kube-apiserver ${describeExit(exit)} before it was ready (log ${apiServer.logFile}):\n${log}`,
      );
    }
    const ready = await httpCall(`${url}/readyz?verbose`, {
      ca,
      headers: { authorization: `Bearer ${token}` },
      timeoutMs: 5000,
    }).catch((error: Error) => ({ status: 0, body: error.message, headers: {} }));
    if (ready.status === 200) return;
    last = `${ready.status} ${
      ready.body
        .split("\n")
        .filter((line) => line.includes("failed"))
        .join("; ") || ready.body.slice(0, 300)
    }`;
    if (Date.now() > deadline)
      throw new KubeApiServerStartError(
        `kube-apiserver was not ready in time: /readyz answered ${last} (log ${apiServer.logFile}):\n${await apiServer.logTail()}`,
      );
    await sleep(200);
  }
}

/** Waits until the controller manager has made the `default` ServiceAccount of namespace `default`. */
async function waitControllerManager(
  server: RunningKubeApiServer,
  token: string,
  controllerManager: ServerProcess,
  deadline: number,
): Promise<void> {
  for (;;) {
    const exit = controllerManager.exit();
    if (exit)
      throw new KubeApiServerStartError(
        `kube-controller-manager ${describeExit(exit)} (log ${controllerManager.logFile}):\n${await controllerManager.logTail()}`,
      );
    const answer = await httpCall(
      `${server.url}/api/v1/namespaces/default/serviceaccounts/default`,
      {
        ca: server.ca,
        headers: { authorization: `Bearer ${token}` },
        timeoutMs: 5000,
      },
    ).catch(() => undefined);
    if (answer?.status === 200) return;
    if (Date.now() > deadline)
      throw new KubeApiServerStartError(
        `kube-controller-manager did not create the default ServiceAccount in time (log ${controllerManager.logFile}):\n${await controllerManager.logTail()}`,
      );
    await sleep(200);
  }
}

/** Three different free ports (freePort() may hand out a port it handed out a moment ago). */
async function threeFreePorts(): Promise<[number, number, number]> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [a = 0, b = 0, c = 0] = ports;
  return [a, b, c];
}

async function attempt(
  binaries: NonNullable<KubeApiServerOptions["binaries"]>,
  options: KubeApiServerOptions,
  deadline: number,
): Promise<RunningKubeApiServer> {
  const withControllerManager = options.controllerManager ?? true;
  const dir = await mkdtemp(join(tmpdir(), "kin-kube-apiserver-"));
  trackDir(dir);
  const processes: ServerProcess[] = [];
  try {
    const pki = await createPki(SERVICE_IP);
    const token = randomBytes(32).toString("base64url");
    const pkiDir = join(dir, "pki");
    await mkdir(pkiDir, { mode: 0o700 });
    const file = (name: string) => join(pkiDir, name);
    const secret = { mode: 0o600 } as const;
    await Promise.all([
      writeFile(file("ca.crt"), pki.authority.ca),
      writeFile(file("apiserver.crt"), pki.servingCert),
      writeFile(file("apiserver.key"), pki.servingKey, secret),
      writeFile(file("sa.key"), pki.serviceAccountKey, secret),
      writeFile(file("sa.pub"), pki.serviceAccountPublicKey),
      // token,user,uid,"group1,group2" (--token-auth-file's CSV)
      writeFile(
        file("tokens.csv"),
        `${token},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`,
        secret,
      ),
    ]);
    const [etcdClient, etcdPeer, port] = await threeFreePorts();
    const etcd = await startEtcd(
      binaries.etcd,
      dir,
      { client: etcdClient, peer: etcdPeer },
      deadline,
    );
    processes.push(etcd.process);
    const gates = Object.entries(options.featureGates ?? {});
    const apiServer = startServerProcess(
      "kube-apiserver",
      binaries.kubeApiServer,
      [
        `--etcd-servers=${etcd.url}`,
        "--bind-address=::",
        `--secure-port=${port}`,
        "--advertise-address=127.0.0.1",
        `--cert-dir=${pkiDir}`,
        `--tls-cert-file=${file("apiserver.crt")}`,
        `--tls-private-key-file=${file("apiserver.key")}`,
        `--client-ca-file=${file("ca.crt")}`,
        `--token-auth-file=${file("tokens.csv")}`,
        "--authorization-mode=Node,RBAC",
        `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
        `--service-account-key-file=${file("sa.pub")}`,
        `--service-account-signing-key-file=${file("sa.key")}`,
        `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
        "--allow-privileged=true",
        // Tests compact by hand (compact()); a timer would make 410s depend on the clock.
        "--etcd-compaction-interval=0",
        "--profiling=false",
        ...(withControllerManager ? [] : ["--disable-admission-plugins=ServiceAccount"]),
        ...(gates.length > 0
          ? [`--feature-gates=${gates.map(([gate, on]) => `${gate}=${on}`).join(",")}`]
          : []),
        ...(options.apiServerArgs ?? []),
      ],
      { logFile: join(dir, "kube-apiserver.log") },
    );
    processes.push(apiServer);
    const url = `https://127.0.0.1:${port}`;
    await waitReady(url, pki.authority.ca, token, apiServer, deadline);
    const server = new RunningKubeApiServer(
      port,
      dir,
      token,
      pki,
      etcd,
      processes,
      withControllerManager,
    );
    if (withControllerManager) {
      const identity = await pki.authority.issue({
        commonName: "system:kube-controller-manager",
        usage: "client",
      });
      await writeFile(file("controller-manager.crt"), identity.cert);
      await writeFile(file("controller-manager.key"), identity.key, secret);
      await writeFile(
        file("controller-manager.kubeconfig"),
        kubeconfig(
          url,
          file("ca.crt"),
          file("controller-manager.crt"),
          file("controller-manager.key"),
        ),
        secret,
      );
      const controllerManager = startServerProcess(
        "kube-controller-manager",
        binaries.kubeControllerManager,
        [
          `--kubeconfig=${file("controller-manager.kubeconfig")}`,
          "--leader-elect=false",
          "--use-service-account-credentials=true",
          `--service-account-private-key-file=${file("sa.key")}`,
          `--root-ca-file=${file("ca.crt")}`,
          `--cluster-name=kin`,
          // No serving port: nothing scrapes it.
          "--secure-port=0",
          "--profiling=false",
        ],
        { logFile: join(dir, "kube-controller-manager.log") },
      );
      processes.push(controllerManager);
      await waitControllerManager(server, token, controllerManager, deadline);
    }
    return server;
  } catch (error) {
    await stopAll(processes, dir);
    throw error;
  }
}

/**
 * Starts etcd and a real kube-apiserver v1.28 (and, by default, kube-controller-manager) on free loopback
 * ports with a temporary folder, and resolves once `/readyz` answers 200. The binaries come from
 * {@link buildKubeApiServer} (built on first use: many minutes; a test run builds them in its global
 * setup). Every process is stopped and the folder removed by `stop()`, and also when this process exits
 * without it; if this process is killed, the servers notice their closed standard input and exit too.
 */
export async function startKubeApiServer(
  options: KubeApiServerOptions = {},
): Promise<KubeApiServer> {
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  const binaries = options.binaries ?? (await buildKubeApiServer());
  for (let tries = 1; ; tries++) {
    try {
      return await attempt(binaries, options, deadline);
    } catch (error) {
      // Another process took a port between freePort() and the bind: try new ports.
      if (!(error instanceof PortTaken) || tries >= 3) {
        if (error instanceof PortTaken)
          throw new KubeApiServerStartError("kube-apiserver: its port was taken three times");
        throw error;
      }
    }
  }
}
