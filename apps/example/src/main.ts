#!/usr/bin/env node
import { createClient, loadInCluster } from "@kin/client";
import { report } from "./app.js";

// In a pod the service account is at its standard path; KIN_SERVICE_ACCOUNT_DIR points elsewhere
// for a simulated pod (the demo and the tests).
try {
  const credentials = await loadInCluster({
    dir: process.env.KIN_SERVICE_ACCOUNT_DIR || undefined,
  });
  const client = await createClient({ credentials });
  try {
    await report(client, (line) => process.stdout.write(`${line}\n`));
  } finally {
    await client.close();
  }
} catch (error) {
  process.stderr.write(`kin-example: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
