// Per-kind behaviour of the registries (pkg/registry/<group>/<kind>/strategy.go, v1.28), as far as
// the mock server models it: name validation, generation, status handling, create-time status.
import { dns1123LabelErrors, dns1123SubdomainErrors, type KubeObject } from "@kin/resources";
import { CLEANUP_FINALIZER, establishedStatus } from "../controllers/customResources.js";
import type { Served } from "../discovery/catalogue.js";
import { timestamp } from "../registry/metadata.js";

/** `apimachinery/pkg/api/validation/path.IsValidPathSegmentName`: names RBAC objects may take. */
function pathSegmentErrors(name: string): string[] {
  if (name === "." || name === "..") return [`may not be '${name}'`];
  const errors: string[] = [];
  for (const bad of ["/", "%"]) if (name.includes(bad)) errors.push(`may not contain '${bad}'`);
  return errors;
}

/** `validation.IsDNS1035Label`: Service names. */
function dns1035LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push("must be no more than 63 characters");
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value))
    errors.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
  return errors;
}

const PATH_SEGMENT_KINDS = new Set([
  "rbac.authorization.k8s.io/Role",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/RoleBinding",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "/Event",
  "events.k8s.io/Event",
]);

/** The name validation a kind's `ValidateObjectMeta` call uses. */
export function nameErrors(served: Served, name: string): string[] {
  const { group, kind } = served.descriptor;
  if (group === "" && kind === "Namespace") return dns1123LabelErrors(name);
  if (group === "" && kind === "Service") return dns1035LabelErrors(name);
  if (PATH_SEGMENT_KINDS.has(`${group}/${kind}`)) return pathSegmentErrors(name);
  return dns1123SubdomainErrors(name);
}

/**
 * Kinds whose strategy sets `metadata.generation` (1 on create, +1 on a spec change). Pods, services,
 * configmaps, namespaces… have none in 1.28. Custom resources always have one.
 */
const GENERATION_KINDS = new Set([
  "apps/Deployment",
  "apps/ReplicaSet",
  "apps/StatefulSet",
  "apps/DaemonSet",
  "apps/ControllerRevision",
  "batch/Job",
  "batch/CronJob",
  "/ReplicationController",
  "autoscaling/HorizontalPodAutoscaler",
  "networking.k8s.io/Ingress",
  "networking.k8s.io/IngressClass",
  "networking.k8s.io/NetworkPolicy",
  "policy/PodDisruptionBudget",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "flowcontrol.apiserver.k8s.io/FlowSchema",
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
]);

export const hasGeneration = (served: Served) =>
  served.custom !== undefined ||
  GENERATION_KINDS.has(`${served.descriptor.group}/${served.descriptor.kind}`);

/** Whether the kind has a `status` subresource (then status is ignored on the main resource). */
export const hasStatus = (served: Served) => served.descriptor.subresources?.status !== undefined;

/** What a generation bump looks at: everything but metadata and, with a status subresource, status. */
export function specOf(served: Served, object: KubeObject): unknown {
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = object as Record<string, unknown>;
  if (hasStatus(served)) delete rest.status;
  return rest;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

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

/**
 * `PrepareForCreate`: the status a new object starts with. Kinds with a status subresource drop
 * what the client sent (pods start `Pending` with their QoS class, namespaces `Active`).
 */
export function prepareForCreate(served: Served, object: Record<string, unknown>): void {
  const { group, kind } = served.descriptor;
  if (group === "" && kind === "Namespace") {
    const spec = (object.spec ?? {}) as { finalizers?: string[] };
    object.spec = { ...spec, finalizers: spec.finalizers ?? ["kubernetes"] };
    object.status = { phase: "Active" };
    return;
  }
  if (group === "apiextensions.k8s.io" && kind === "CustomResourceDefinition") {
    const meta = (object.metadata ?? {}) as { finalizers?: string[] };
    if (!meta.finalizers?.includes(CLEANUP_FINALIZER))
      object.metadata = { ...meta, finalizers: [...(meta.finalizers ?? []), CLEANUP_FINALIZER] };
    object.status = establishedStatus(object as never, timestamp());
    return;
  }
  // Defaulting of the replicated kinds (pkg/apis/apps/v1/defaults.go): one replica.
  if (
    ["apps/Deployment", "apps/ReplicaSet", "apps/StatefulSet", "/ReplicationController"].includes(
      `${group}/${kind}`,
    )
  ) {
    const spec = (object.spec ?? {}) as { replicas?: number };
    if (spec.replicas === undefined) object.spec = { ...spec, replicas: 1 };
  }
  if (!hasStatus(served)) return;
  if (group === "" && kind === "Pod") {
    object.status = { phase: "Pending", qosClass: qosClass(object) };
  } else if (served.custom) {
    delete object.status;
  } else {
    object.status = {};
  }
}
