export type { Container, PodSpec, PodStatus } from "./core.js";
export { ConfigMap, Namespace, Pod } from "./core.js";
export type { ResourceDescriptor } from "./descriptor.js";
export { resourcePath } from "./descriptor.js";
export type { KubeObject, ListMeta, ObjectList, ObjectMeta } from "./meta.js";
export {
  assertValidName,
  assertValidNamespace,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  InvalidNameError,
} from "./names.js";
