import { randomUUID } from "node:crypto";
import type { KubeObject, ResourceDescriptor } from "@kin/resources";

/** Seconds-precision RFC 3339, as the API server writes timestamps. */
const timestamp = () => `${new Date().toISOString().slice(0, 19)}Z`;

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ""}/${name}`;

/** Random suffix of `generateName`: five characters of the apiserver's alphabet (no vowels, no look-alikes). */
function nameSuffix(): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += alphabet[Math.floor(Math.random() * alphabet.length)];
  return suffix;
}

/** Objects by resource and namespace/name, with one resourceVersion counter as etcd has. */
export class ObjectStore {
  #revision = 1;
  readonly #objects = new Map<string, Map<string, KubeObject>>();

  /** The latest resourceVersion, as a list's `metadata.resourceVersion`. */
  get resourceVersion(): string {
    return String(this.#revision);
  }

  #bucket(descriptor: ResourceDescriptor): Map<string, KubeObject> {
    let bucket = this.#objects.get(descriptor.plural);
    if (!bucket) {
      bucket = new Map();
      this.#objects.set(descriptor.plural, bucket);
    }
    return bucket;
  }

  get(
    descriptor: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    return this.#bucket(descriptor).get(keyOf(namespace, name));
  }

  /** Objects in `namespace` (all namespaces when `undefined`), ordered by namespace and name as etcd keys are. */
  list(descriptor: ResourceDescriptor, namespace?: string): { key: string; object: KubeObject }[] {
    return [...this.#bucket(descriptor)]
      .filter(([, object]) => namespace === undefined || object.metadata?.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, object]) => ({ key, object }));
  }

  /** Stores a new object, setting the metadata the server owns; `undefined` when the name is taken. */
  create(descriptor: ResourceDescriptor, object: KubeObject): KubeObject | undefined {
    const metadata = { ...object.metadata };
    const name = metadata.name ?? `${metadata.generateName}${nameSuffix()}`;
    const key = keyOf(metadata.namespace, name);
    const bucket = this.#bucket(descriptor);
    if (bucket.has(key)) return undefined;
    this.#revision++;
    const stored: KubeObject = {
      ...object,
      apiVersion: descriptor.apiVersion,
      kind: descriptor.kind,
      metadata: {
        ...metadata,
        name,
        uid: randomUUID(),
        resourceVersion: String(this.#revision),
        creationTimestamp: timestamp(),
        ...("spec" in object ? { generation: 1 } : {}),
      },
    };
    bucket.set(key, stored);
    return stored;
  }

  delete(
    descriptor: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const bucket = this.#bucket(descriptor);
    const object = bucket.get(keyOf(namespace, name));
    if (!object) return undefined;
    bucket.delete(keyOf(namespace, name));
    this.#revision++;
    return object;
  }
}
