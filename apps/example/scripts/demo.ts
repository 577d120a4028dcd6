import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startDemoCluster } from "./cluster.js";

// Starts the fake API server, makes a simulated pod, and runs the example app in it as its own process.
const cluster = await startDemoCluster();
const app = fileURLToPath(new URL("./main.js", import.meta.url));
console.log(
  `[demo] mock API server listening on ${cluster.url} (a CA made just now signs its certificate)`,
);
console.log(
  `[demo] simulated pod: service account in ${cluster.pod.dir}, ${Object.entries(cluster.pod.env)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ")}`,
);
console.log("[demo] running the example app in it; it trusts only the pod's ca.crt:\n");
const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, [app], {
    env: { ...process.env, ...cluster.env },
    stdio: "inherit",
  });
  child.on("exit", (exitCode) => resolve(exitCode ?? 1));
});
await cluster.close();
console.log(`\n[demo] the app exited with code ${code}`);
process.exitCode = code;
