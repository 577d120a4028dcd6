import type { ResourceDescriptor } from "./descriptor.js";
import type { KubeObject, ObjectMeta } from "./meta.js";

/** A container in a pod (the fields the skeleton uses; the full type is generated later). */
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
}

export interface PodSpec {
  containers: Container[];
  serviceAccountName?: string;
  nodeName?: string;
  restartPolicy?: "Always" | "OnFailure" | "Never";
}

export interface PodStatus {
  phase?: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  podIP?: string;
  hostIP?: string;
  startTime?: string;
}

/** `core/v1` Pod. */
export interface Pod extends KubeObject {
  apiVersion?: "v1";
  kind?: "Pod";
  metadata?: ObjectMeta;
  spec?: PodSpec;
  status?: PodStatus;
}

/** `core/v1` ConfigMap. */
export interface ConfigMap extends KubeObject {
  apiVersion?: "v1";
  kind?: "ConfigMap";
  metadata?: ObjectMeta;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

export const Pod: ResourceDescriptor<Pod, true> = {
  group: "",
  version: "v1",
  apiVersion: "v1",
  kind: "Pod",
  plural: "pods",
  namespaced: true,
};

export const ConfigMap: ResourceDescriptor<ConfigMap, true> = {
  group: "",
  version: "v1",
  apiVersion: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  namespaced: true,
};

/** `core/v1` Namespace (cluster-scoped). */
export interface Namespace extends KubeObject {
  apiVersion?: "v1";
  kind?: "Namespace";
  metadata?: ObjectMeta;
  spec?: { finalizers?: string[] };
  status?: { phase?: "Active" | "Terminating" };
}

export const Namespace: ResourceDescriptor<Namespace, false> = {
  group: "",
  version: "v1",
  apiVersion: "v1",
  kind: "Namespace",
  plural: "namespaces",
  namespaced: false,
};
