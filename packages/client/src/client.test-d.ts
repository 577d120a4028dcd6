// Type tests, checked by `tsc` (the typecheck task): each @ts-expect-error must be an error.
import type { Client } from "./client.js";
import { ConfigMap, type KubeApiError, Node, Pod, type Status, type WatchEvent } from "./index.js";

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

// One Status and one WatchEvent, from @kin/resources: what delete() returns, what a KubeApiError
// carries and what a watch yields are the exported types.
async function wireTypes(error: KubeApiError): Promise<void> {
  const deleted: Pod | Status = await client.api(Pod).delete("web");
  const carried: Status = error.status;
  const code: number = error.status.code;
  // @ts-expect-error the Status of a server may lack a reason
  const reason: string = error.status.reason;
  for await (const event of client.api(Pod).watch()) {
    const typedEvent: WatchEvent<Pod> = event;
    // @ts-expect-error ERROR events are thrown, never yielded
    const isError = event.type === "ERROR";
    void typedEvent;
    void isError;
  }
  void deleted;
  void carried;
  void code;
  void reason;
}
void wireTypes;
