// Which fields each kind can be selected on, and how the server reads them (the `GetAttrs` /
// `*ToSelectableFields` functions of pkg/registry/<kind>/strategy.go and the field-label conversion
// functions of pkg/apis/<group>/v1/conversion.go, v1.28). Parsing is @kin/resources' (fields/selector.go).
import {
  fieldValue,
  type KubeObject,
  type ParsedFieldSelector,
  parseFieldSelector,
} from "@kin/resources";

type Getter = (object: KubeObject) => string;

const path =
  (p: string): Getter =>
  (object) =>
    fieldValue(object, p);

const podIP: Getter = (object) => {
  const status = (object as { status?: { podIP?: string; podIPs?: { ip?: string }[] } }).status;
  return status?.podIPs?.[0]?.ip ?? status?.podIP ?? "";
};
const bool =
  (p: string): Getter =>
  (object) =>
    fieldValue(object, p) === "true" ? "true" : "false";
const number =
  (p: string): Getter =>
  (object) =>
    fieldValue(object, p) || "0";

/** Extra fields by `group/kind`, for the kinds that register a field-label conversion function. */
const byKind: Record<string, Record<string, Getter>> = {
  "/Pod": {
    "spec.nodeName": path("spec.nodeName"),
    "spec.restartPolicy": path("spec.restartPolicy"),
    "spec.schedulerName": path("spec.schedulerName"),
    "spec.serviceAccountName": path("spec.serviceAccountName"),
    "spec.hostNetwork": bool("spec.hostNetwork"),
    "status.phase": path("status.phase"),
    "status.podIP": podIP,
    "status.nominatedNodeName": path("status.nominatedNodeName"),
  },
  "/Event": {
    "involvedObject.kind": path("involvedObject.kind"),
    "involvedObject.namespace": path("involvedObject.namespace"),
    "involvedObject.name": path("involvedObject.name"),
    "involvedObject.uid": path("involvedObject.uid"),
    "involvedObject.apiVersion": path("involvedObject.apiVersion"),
    "involvedObject.resourceVersion": path("involvedObject.resourceVersion"),
    "involvedObject.fieldPath": path("involvedObject.fieldPath"),
    reason: path("reason"),
    reportingComponent: path("reportingComponent"),
    source: path("source.component"),
    type: path("type"),
  },
  "/Secret": { type: path("type") },
  "/Namespace": { "status.phase": path("status.phase") },
  "/Node": { "spec.unschedulable": bool("spec.unschedulable") },
  "/ReplicationController": { "status.replicas": number("status.replicas") },
  "apps/ReplicaSet": { "status.replicas": number("status.replicas") },
  "batch/Job": { "status.successful": number("status.succeeded") },
  "certificates.k8s.io/CertificateSigningRequest": { "spec.signerName": path("spec.signerName") },
};

const common: Record<string, Getter> = {
  "metadata.name": path("metadata.name"),
  "metadata.namespace": path("metadata.namespace"),
};

export interface FieldFilter {
  readonly selector: ParsedFieldSelector;
  /** Whether the selector selects everything. */
  readonly empty: boolean;
  matches(object: KubeObject): boolean;
}

/**
 * Parses `text` for a kind; throws an Error with the server's message for a malformed selector or
 * an unsupported field (`field label not supported: x` for kinds with a conversion function,
 * `"x" is not a known field selector: only "metadata.name", "metadata.namespace"` for the others,
 * custom resources included: runtime.DefaultMetaV1FieldSelectorConversion).
 */
export function fieldFilter(group: string, kind: string, text: string): FieldFilter {
  const selector = parseFieldSelector(text);
  const extra = byKind[`${group}/${kind}`];
  const getters = { ...common, ...extra };
  for (const { field } of selector.requirements) {
    if (getters[field]) continue;
    throw new Error(
      extra
        ? `field label not supported: ${field}`
        : `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
    );
  }
  const get = (object: unknown, field: string) => (getters[field] as Getter)(object as KubeObject);
  return {
    selector,
    empty: selector.requirements.length === 0,
    matches: (object) => selector.matches(object, get),
  };
}
