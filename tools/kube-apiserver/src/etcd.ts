import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { httpCall } from "./https.js";
import { describeExit, type ServerProcess, startServerProcess } from "./processes.js";

/** A running etcd (one member, plain HTTP on loopback). */
export interface Etcd {
  /** The client URL, `http://127.0.0.1:<port>`: the gRPC API and its JSON gateway (`/v3/...`). */
  readonly url: string;
  readonly process: ServerProcess;
}

/**
 * Starts etcd with its data in `<dir>/etcd`, its log in `<dir>/etcd.log`, and waits until `/health` says
 * so. `fsync` is off (`--unsafe-no-fsync`): the data is thrown away with the folder.
 */
export async function startEtcd(
  binary: string,
  dir: string,
  ports: { client: number; peer: number },
  deadline: number,
): Promise<Etcd> {
  const url = `http://127.0.0.1:${ports.client}`;
  const peer = `http://127.0.0.1:${ports.peer}`;
  const process = startServerProcess(
    "etcd",
    binary,
    [
      "--name=kin",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=kin=${peer}`,
      "--unsafe-no-fsync=true",
      "--logger=zap",
      "--log-level=warn",
    ],
    { logFile: join(dir, "etcd.log"), removeOnParentExit: dir },
  );
  for (;;) {
    const exit = process.exit();
    if (exit)
      throw new Error(
        `etcd ${describeExit(exit)} before it was healthy:\n${await process.logTail()}`,
      );
    const health = await httpCall(`${url}/health`, { timeoutMs: 2000 }).catch(() => undefined);
    if (health?.status === 200 && /"health":\s*"true"/.test(health.body)) return { url, process };
    if (Date.now() > deadline) {
      await process.stop();
      throw new Error(`etcd was not healthy in time (${url}/health):\n${await process.logTail()}`);
    }
    await sleep(100);
  }
}

/**
 * Compacts etcd's history up to its current revision (physically), through the JSON gateway
 * (`POST /v3/kv/compaction`), and resolves to that revision. Afterwards reads at an older revision fail
 * with "required revision has been compacted": continue tokens from before answer 410 `Expired`, and so
 * do watches that kube-apiserver serves from etcd rather than its watch cache.
 */
export async function compactEtcd(url: string): Promise<number> {
  const json = { "content-type": "application/json" };
  const range = await httpCall(`${url}/v3/kv/range`, {
    method: "POST",
    headers: json,
    // Any key: only the response header's revision is wanted.
    body: JSON.stringify({ key: Buffer.from("kin").toString("base64") }),
  });
  let revision: string | undefined;
  try {
    revision = (JSON.parse(range.body) as { header?: { revision?: string } }).header?.revision;
  } catch {
    revision = undefined;
  }
  if (range.status !== 200 || typeof revision !== "string")
    throw new Error(
      `etcd ${url}/v3/kv/range answered ${range.status}: ${range.body.slice(0, 500)}`,
    );
  const compaction = await httpCall(`${url}/v3/kv/compaction`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ revision, physical: true }),
  });
  if (compaction.status !== 200)
    throw new Error(
      `etcd ${url}/v3/kv/compaction answered ${compaction.status}: ${compaction.body.slice(0, 500)}`,
    );
  return Number(revision);
}
