// The pod strategy (pkg/registry/core/pod/strategy.go, v1.28), as far as modelled: containers are
// required, a new pod starts `Pending` with its QoS class, a pod on a node is deleted gracefully.
import type { KubeObject } from "@kin/resources";
import type { Served } from "../discovery/catalogue.js";
import type { FieldCause } from "../http/status.js";

export const isPod = (served: Served) =>
  served.descriptor.group === "" && served.descriptor.kind === "Pod";

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };

/** `qos.GetPodQOS`, simplified to cpu and memory. */
function qosClass(pod: { spec?: { containers?: { resources?: Resources }[] } }): string {
  const containers = pod.spec?.containers ?? [];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const { resources = {} } of containers) {
    const { requests = {}, limits = {} } = resources;
    if (Object.keys(requests).length || Object.keys(limits).length) any = true;
    for (const r of ["cpu", "memory"]) {
      if (limits[r] === undefined || (requests[r] !== undefined && requests[r] !== limits[r]))
        guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** The status of a new pod. */
export const podStatusOnCreate = (pod: Record<string, unknown>) => ({
  phase: "Pending",
  qosClass: qosClass(pod),
});

/** `ValidatePodCreate`/`Update`, the part modelled: at least one container. */
export function podErrors(pod: KubeObject): FieldCause[] {
  const containers = (pod as { spec?: { containers?: unknown } }).spec?.containers;
  return !Array.isArray(containers) || containers.length === 0
    ? [{ type: "Required", field: "spec.containers" }]
    : [];
}

/**
 * Seconds the kubelet takes to remove a pod on a node (`gracePeriodSeconds`, else the pod's
 * `terminationGracePeriodSeconds`, else 30); 0 for a pod on no node, which goes at once.
 */
export function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const spec = (pod as { spec?: { nodeName?: string; terminationGracePeriodSeconds?: number } })
    .spec;
  return spec?.nodeName ? (requested ?? spec?.terminationGracePeriodSeconds ?? 30) : 0;
}
