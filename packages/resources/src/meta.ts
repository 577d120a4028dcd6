import type { ListMeta, ObjectMeta } from "./types.generated.js";

/** Any top-level Kubernetes object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** A list of objects as the API server returns it (`PodList`, `ConfigMapList`, ...). */
export interface ObjectList<T extends KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}
