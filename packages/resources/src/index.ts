// The public API of @kin/resources: explicit named exports grouped by file. The generated part
// (every built-in kind's descriptor and type, every other type of the spec) comes from
// exports.generated.ts, which scripts/generate.mjs writes with every name spelled out: that is the
// one `export *`, of an explicit generated list (src/index.test.ts holds it to that).
export { builtinResources } from "./catalogue.generated.js";
export type { CustomObject, DefineResourceOptions } from "./customResource.js";
export { defineResource, descriptorsFromCustomResourceDefinition } from "./customResource.js";
export type { ObjectOf, ResourceDescriptor, SubresourceDescriptor, Verb } from "./descriptor.js";
export { resourcePath } from "./descriptor.js";
export type {
  APIGroupDiscovery,
  APIGroupDiscoveryList,
  APIResourceDiscovery,
  APISubresourceDiscovery,
  APIVersionDiscovery,
  GroupVersionKind,
} from "./discoveryDocuments.js";
export * from "./exports.generated.js";
export type { FieldRequirement, ParsedFieldSelector } from "./fieldSelector.js";
export {
  escapeFieldValue,
  fieldSelector,
  fieldValue,
  parseFieldSelector,
} from "./fieldSelector.js";
export type {
  LabelOperator,
  LabelRequirement,
  LabelSelectorObject,
  ParsedLabelSelector,
} from "./labelSelector.js";
export {
  InvalidSelectorError,
  label,
  labelSelector,
  labelSelectorFromObject,
  parseLabelSelector,
} from "./labelSelector.js";
export type { KubeObject, ObjectList } from "./meta.js";
export {
  assertValidLabels,
  assertValidName,
  assertValidNamespace,
  assertValidPathSegmentName,
  dns1035LabelErrors,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  InvalidNameError,
  labelKeyErrors,
  labelValueErrors,
  objectNameErrors,
  parseApiVersion,
  pathSegmentNameErrors,
  qualifiedNameErrors,
} from "./names.js";
export type {
  ApplyConfiguration,
  JsonPatchOperation,
  JsonPointer,
  MergePatch,
  PatchBody,
  StrategicMergeDirectives,
  StrategicMergePatch,
} from "./patch.js";
export {
  applyPatch,
  InvalidApplyConfigurationError,
  jsonPatch,
  jsonPointer,
  mergePatch,
  PatchContentType,
  strategicMergePatch,
} from "./patch.js";
export { builtinGroupOrder, compareVersions } from "./priority.js";
