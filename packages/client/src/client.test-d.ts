// Type tests, checked by `tsc` (the typecheck task): each @ts-expect-error must be an error.
import type { Client } from "./client.js";
import { ConfigMap, Node, Pod } from "./index.js";

declare const client: Client;

client.api(Pod);
client.api(Pod, { namespace: "team-a" });
client.api(ConfigMap, { allNamespaces: true });
client.api(Node);

// @ts-expect-error cluster-scoped kinds take no namespace
client.api(Node, { namespace: "team-a" });
// @ts-expect-error nor all namespaces
client.api(Node, { allNamespaces: true });
// @ts-expect-error a namespace and all namespaces exclude each other
client.api(Pod, { namespace: "a", allNamespaces: true });

async function typed(): Promise<void> {
  const pod = await client.api(Pod).get("web");
  const phase: string | undefined = pod.status?.phase;
  // @ts-expect-error a Pod has no spec.replicas
  pod.spec?.replicas;
  void phase;
}
void typed;
