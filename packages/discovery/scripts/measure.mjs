// Measures discovery of the mock server's full v1.28 surface: aggregated vs legacy, requests and
// milliseconds (median of 5 runs each, a fresh discovery object per run). Prints figures; no pass/fail.
// Run: npx pnpm@12.4.2 --filter @kin/discovery bench   (uses the built packages)
import { createApiServer, credentialsFor, listen } from "@kin/mock-server";
import { createTransport } from "@kin/transport";
import { createDiscovery } from "../dist/index.js";

const api = createApiServer();
const listener = await listen(api);
const transport = createTransport(credentialsFor(listener, api.issueToken()), { rateLimit: false });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

console.log(`discovery of the mock server (${listener.url}), Node ${process.version}`);
for (const mode of ["aggregated", "legacy"]) {
  const times = [];
  let last;
  for (let run = 0; run < 6; run++) {
    const started = performance.now();
    last = await createDiscovery(transport, { mode }).catalogue();
    if (run > 0) times.push(performance.now() - started); // run 0 warms up
  }
  console.log(
    `${mode.padEnd(10)} ${String(last.requests).padStart(3)} requests  ${median(times).toFixed(1).padStart(7)} ms median (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)})  ${last.groups.length} groups, ${last.resources.length} resources, ${last.failures.length} failures`,
  );
}
await transport.close();
await listener.close();
