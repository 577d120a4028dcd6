// Per-kind behaviour of the registries (pkg/registry/<group>/<kind>/strategy.go, v1.28), as far as
// the mock server models it: which kinds keep a generation and a status subresource, what create sets,
// what update keeps, what validation checks, how deletion goes. The generic registry
// (registry/registry.ts) calls these; the kinds' own rules are in names.ts, pods.ts, namespaces.ts, crds.ts.
import type { KubeObject } from "@kin/resources";
import type { Served } from "../discovery/catalogue.js";
import type { FieldCause } from "../http/status.js";
import type { Meta } from "../registry/metadata.js";
import { crdErrors, isCrd, prepareCrd } from "./crds.js";
import {
  defaultSeededNamespace,
  isNamespace,
  prepareNamespace,
  terminating,
  withNameLabel,
} from "./namespaces.js";
import { isPod, podErrors, podGracePeriod, podStatusOnCreate } from "./pods.js";

export { nameErrors } from "./names.js";

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

/**
 * `PrepareForCreate`: the status a new object starts with. Kinds with a status subresource drop
 * what the client sent (pods start `Pending` with their QoS class, namespaces `Active`). A `seed`
 * (tests' fixtures) keeps what it is given but for the defaults its kind cannot be without.
 */
export function prepareForCreate(
  served: Served,
  object: Record<string, unknown>,
  seed: boolean,
): void {
  const { group, kind } = served.descriptor;
  if (isCrd(served)) {
    prepareCrd(object);
    return;
  }
  if (seed) {
    if (isNamespace(served)) defaultSeededNamespace(object);
    return;
  }
  if (isNamespace(served)) {
    prepareNamespace(object);
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
  if (isPod(served)) {
    object.status = podStatusOnCreate(object);
  } else if (served.custom) {
    delete object.status;
  } else {
    object.status = {};
  }
}

/**
 * `PrepareForUpdate` of the main resource: kinds with a status subresource keep the live status
 * (a namespace's status is the namespace controller's).
 */
export function keepStatus(
  served: Served,
  live: KubeObject,
  object: Record<string, unknown>,
): void {
  if (isNamespace(served)) object.status = (live as Record<string, unknown>).status;
  else if (hasStatus(served)) {
    if ("status" in live) object.status = (live as Record<string, unknown>).status;
    else delete object.status;
  }
}

/** Sets the labels the server keeps on every object of the kind (namespaces: their name). */
export function setServerLabels(served: Served, meta: Meta, name: string): void {
  if (isNamespace(served)) meta.labels = withNameLabel(meta, name);
}

/** Kind-specific validation of create and update (beyond the name). */
export function validate(served: Served, object: KubeObject): FieldCause[] {
  if (isPod(served)) return podErrors(object);
  if (isCrd(served)) return crdErrors(object);
  return [];
}

/** Seconds before the object goes once deleted: a pod on a node waits for the kubelet; others 0. */
export const gracePeriod = (served: Served, live: KubeObject, requested: number | undefined) =>
  isPod(served) ? podGracePeriod(live, requested) : 0;

/** Whether deletion always waits for a controller, finalizers or not (namespaces: the namespace controller). */
export const deletionDeferred = (served: Served) => isNamespace(served);

/** The object as deletion marks it, with what the kind changes then (a namespace becomes Terminating). */
export const markedForDeletion = (served: Served, live: KubeObject, marked: KubeObject) =>
  isNamespace(served) ? terminating(live, marked) : marked;
