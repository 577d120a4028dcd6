// A leader-election candidate as its own process, for test/leaderElection.pods.test.ts: it runs in a
// simulated pod (the service account at the real path), stands for the lease named by LEASE, and
// prints one JSON line per event with the machine's monotonic clock (process.hrtime), which every
// process on the host shares. SIGTERM stops it gracefully (the lease is released).
import { createClient, loadInCluster } from "@kin/client";
import { createLeaderElector } from "../src/index.js";

const identity = process.env.CANDIDATE ?? "";
const say = (event: string) =>
  process.stdout.write(
    `${JSON.stringify({ event, identity, t: process.hrtime.bigint().toString() })}\n`,
  );
const client = await createClient({ credentials: await loadInCluster(), rateLimit: false });
const stop = new AbortController();
process.on("SIGTERM", () => stop.abort());
const elector = createLeaderElector(client, {
  lease: { name: process.env.LEASE ?? "" },
  identity,
  ...(JSON.parse(process.env.TIMING ?? "{}") as object),
  onStartedLeading(signal) {
    say("started");
    signal.addEventListener("abort", () => say("stopped"), { once: true });
  },
  onError: () => {},
});
say("ready");
await elector.run(stop.signal);
await client.close();
say("exit");
