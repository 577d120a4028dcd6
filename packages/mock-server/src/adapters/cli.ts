#!/usr/bin/env node
// kin-mock-server: the fake API server as a process. Starts the HTTPS listener, seeds it from manifest
// files, turns RBAC and faults on, writes a kubeconfig and a service-account folder, prints how to
// connect, and stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  SERVICE_ACCOUNT_CA_FILE,
  SERVICE_ACCOUNT_NAMESPACE_FILE,
  SERVICE_ACCOUNT_TOKEN_FILE,
  SERVICE_HOST_ENV,
  SERVICE_PORT_ENV,
} from "@kin/credentials";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { type FaultPlan, normalizePlan } from "../faults/index.js";
import { DEFAULT_SERVER_NAMES, generateCertificates } from "../harness/certificates.js";
import { type Manifest, readManifests } from "../harness/manifests.js";
import { type ApiServerOptions, createApiServer } from "../server/apiServer.js";
import { listen } from "./httpsListener.js";

const NAME = "kin-mock-server";

const USAGE = `Usage: ${NAME} [options]

A fake Kubernetes API server (v1.28) over HTTPS, for tests and demos.

Options:
  --host <address>      address to listen on (default 127.0.0.1; ::1 for IPv6)
  --port <number>       port (default 6443; 0 = any free port)
  --seed <path>         YAML or JSON manifests to start with: a file or a folder (repeatable);
                        multi-document YAML, JSON arrays and List kinds are read
  --rbac                authorize with the RBAC objects stored in the server
  --faults <file>       a fault plan (YAML or JSON): see the package README, "Faults"
  --kubeconfig <path>   write a kubeconfig for this server (with a token) to <path>
  --pod-dir <path>      write a simulated pod's service-account folder (token, ca.crt, namespace)
  --namespace <name>    the namespace of the kubeconfig context and pod folder (default default)
  --quiet               do not print the request log
  --help                show this help

Ctrl-C stops the server.`;

/** A failure to report as one line: exit code 2 for usage, 1 otherwise. */
class CliError extends Error {
  constructor(
    message: string,
    readonly code: 1 | 2,
  ) {
    super(message);
  }
}

interface Options {
  host: string;
  port: number;
  seeds: string[];
  rbac: boolean;
  faults: string | undefined;
  kubeconfig: string | undefined;
  podDir: string | undefined;
  namespace: string;
  quiet: boolean;
  help: boolean;
}

function parseOptions(argv: string[]): Options {
  let values: ReturnType<typeof parse>["values"];
  function parse() {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        seed: { type: "string", multiple: true },
        rbac: { type: "boolean" },
        faults: { type: "string" },
        kubeconfig: { type: "string" },
        "pod-dir": { type: "string" },
        namespace: { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  }
  try {
    values = parse().values;
  } catch (error) {
    // parseArgs' messages name the flag: "Unknown option '--prot'", "Option '--port <value>' argument missing".
    throw new CliError(`${(error as Error).message.split(". ")[0]} (see --help)`, 2);
  }
  const portText = values.port ?? "6443";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new CliError(`--port: "${portText}" is not a port number (0–65535)`, 2);
  const host = values.host ?? "127.0.0.1";
  if (host === "") throw new CliError("--host: empty address", 2);
  const namespace = values.namespace ?? "default";
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    throw new CliError(`--namespace: "${namespace}" is not a valid namespace name`, 2);
  return {
    host: host.replace(/^\[(.*)\]$/, "$1"),
    port,
    seeds: values.seed ?? [],
    rbac: values.rbac ?? false,
    faults: values.faults,
    kubeconfig: values.kubeconfig,
    podDir: values["pod-dir"],
    namespace,
    quiet: values.quiet ?? false,
    help: values.help ?? false,
  };
}

async function readFaultPlan(file: string): Promise<FaultPlan> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CliError(
      `--faults ${file}: cannot read (${(error as NodeJS.ErrnoException).code})`,
      1,
    );
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new CliError(
      `--faults ${file}: not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`,
      1,
    );
  }
  try {
    normalizePlan(value);
  } catch (error) {
    throw new CliError(`--faults ${file}: ${(error as Error).message}`, 1);
  }
  return value as FaultPlan;
}

/** Namespaces first, then CRDs, then the rest (as `ApiServer.seed`), each error naming its file. */
function seed(api: ReturnType<typeof createApiServer>, manifests: Manifest[]): void {
  const rank = ({ object }: Manifest) =>
    object.apiVersion === "v1" && object.kind === "Namespace"
      ? 0
      : object.kind === "CustomResourceDefinition"
        ? 1
        : 2;
  const ordered = [...manifests].sort((a, b) => rank(a) - rank(b));
  for (const { object, file } of ordered) {
    try {
      api.add(object);
    } catch (error) {
      const name = object.metadata?.namespace
        ? `${object.metadata.namespace}/${object.metadata?.name}`
        : object.metadata?.name;
      throw new CliError(`--seed ${file}: ${object.kind} ${name}: ${(error as Error).message}`, 1);
    }
  }
}

function kubeconfigYaml(server: string, ca: string, token: string, namespace: string): string {
  return stringifyYaml({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: NAME,
        cluster: { server, "certificate-authority-data": Buffer.from(ca).toString("base64") },
      },
    ],
    users: [{ name: `${NAME}-user`, user: { token } }],
    contexts: [{ name: NAME, context: { cluster: NAME, user: `${NAME}-user`, namespace } }],
    "current-context": NAME,
  });
}

/** The service-account folder, as plain files (the listener's CA, the token, the namespace). */
async function writePodDir(
  dir: string,
  ca: string,
  token: string,
  namespace: string,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, SERVICE_ACCOUNT_CA_FILE), ca);
  await writeFile(join(dir, SERVICE_ACCOUNT_TOKEN_FILE), token, { mode: 0o600 });
  await writeFile(join(dir, SERVICE_ACCOUNT_NAMESPACE_FILE), namespace);
}

const shellQuote = (s: string) =>
  /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;

async function run(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  // The stop signals are caught before anything is started or announced. A process gets the default
  // action (death by the signal, exit code null) for a signal that comes before its handler exists,
  // and whoever reads the "Ctrl-C stops" line may signal at once: the handlers must predate that
  // line, not follow it. One that comes during startup stops the server as soon as it is up (and
  // removes what startup wrote); a second one of the same kind gets the default action.
  const stopRequested = new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  const manifests = await readManifests(options.seeds.map((s) => resolve(s))).catch((error) => {
    throw new CliError(`--seed ${(error as Error).message}`, 1);
  });
  const plan = options.faults === undefined ? undefined : await readFaultPlan(options.faults);

  const serverOptions: ApiServerOptions = {
    faults: plan,
    log: options.quiet ? undefined : (line) => print(`[${NAME}] ${line}`),
    rbac: options.rbac,
  };
  const api = createApiServer(serverOptions);
  seed(api, manifests);
  const token = api.issueToken();

  const names = DEFAULT_SERVER_NAMES.includes(options.host)
    ? DEFAULT_SERVER_NAMES
    : [...DEFAULT_SERVER_NAMES, options.host];
  let listener: Awaited<ReturnType<typeof listen>>;
  try {
    listener = await listen(api, {
      host: options.host,
      port: options.port,
      certificates: await generateCertificates(names),
    });
  } catch (error) {
    api.close();
    const code = (error as NodeJS.ErrnoException).code;
    const where = options.host.includes(":")
      ? `[${options.host}]:${options.port}`
      : `${options.host}:${options.port}`;
    const why =
      code === "EADDRINUSE"
        ? "address already in use"
        : code === "EADDRNOTAVAIL"
          ? "address not available on this machine"
          : code === "EACCES"
            ? "permission denied"
            : (error as Error).message;
    throw new CliError(`--host/--port: cannot listen on ${where}: ${why}`, 1);
  }

  const temporary = options.podDir === undefined;
  const podDir =
    options.podDir === undefined
      ? await mkdtemp(join(tmpdir(), "kin-mock-server-"))
      : resolve(options.podDir);
  await writePodDir(podDir, listener.ca, token, options.namespace);
  let kubeconfig: string | undefined;
  if (options.kubeconfig !== undefined) {
    kubeconfig = resolve(options.kubeconfig);
    await mkdir(dirname(kubeconfig), { recursive: true });
    await writeFile(
      kubeconfig,
      kubeconfigYaml(listener.url, listener.ca, token, options.namespace),
      { mode: 0o600 },
    );
    await chmod(kubeconfig, 0o600);
  }

  const dir = shellQuote(podDir);
  print(`${NAME}: Kubernetes v1.28.4 API listening on ${listener.url}`);
  print(
    `  objects seeded: ${manifests.length}${options.rbac ? ", RBAC on" : ""}${plan ? `, faults from ${options.faults}` : ""}`,
  );
  if (kubeconfig !== undefined) {
    print(`  kubeconfig: ${kubeconfig}`);
    print(`    KUBECONFIG=${shellQuote(kubeconfig)} kubectl get pods`);
  } else print("  (--kubeconfig <path> writes a kubeconfig for kubectl)");
  print(`  service account: ${podDir}${temporary ? " (removed on exit)" : ""}`);
  print(
    `    curl --cacert ${dir}/ca.crt -H "Authorization: Bearer $(cat ${dir}/token)" ${listener.url}/api`,
  );
  print(
    `    ${SERVICE_HOST_ENV}=${listener.host} ${SERVICE_PORT_ENV}=${listener.port} KUBERNETES_SERVICE_PORT_HTTPS=${listener.port}`,
  );
  print("  Ctrl-C stops the server.");

  const signal = await stopRequested;
  print(`${NAME}: ${signal}, stopping`);
  api.faults.clear();
  api.close();
  await listener.close().catch(() => {});
  if (temporary) await rm(podDir, { recursive: true, force: true });
}

run(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const message =
      error instanceof CliError
        ? error.message
        : `unexpected failure: ${(error as Error)?.stack ?? error}`;
    process.stderr.write(`${NAME}: ${message}\n`);
    process.exit(error instanceof CliError ? error.code : 1);
  },
);
