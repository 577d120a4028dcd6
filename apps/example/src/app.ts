import { type Client, Pod } from "@kin/client";

/** What the app reports: the docs' `curl …/api`, its namespace, and the pods in it. */
export async function report(client: Client, print: (line: string) => void): Promise<void> {
  const api = await client.discovery.coreVersions();
  print(`API versions: ${api.versions.join(", ")}`);
  print(`namespace: ${client.namespace}`);
  const pods = await client.api(Pod).list();
  print(`pods in ${client.namespace}: ${pods.items.length}`);
  for (const pod of pods.items) {
    print(`  ${pod.metadata?.name ?? "?"}\t${pod.status?.phase ?? "Unknown"}`);
  }
}
