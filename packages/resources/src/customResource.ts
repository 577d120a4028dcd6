import type { ResourceDescriptor, SubresourceDescriptor } from "./descriptor.js";
import type { KubeObject } from "./meta.js";
import { dns1035LabelErrors, dns1123SubdomainErrors, InvalidNameError } from "./names.js";
import type { CustomResourceDefinition, ObjectMeta } from "./types.generated.js";

/** The object type of a custom resource. */
export interface CustomObject<Spec = unknown, Status = unknown> extends KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: Spec;
  status?: Status;
}

/** Options of {@link defineResource}. */
export interface DefineResourceOptions<Namespaced extends boolean> {
  /** API group, e.g. `example.com` (not empty: the core group has no custom resources). */
  group: string;
  /** Version, e.g. `v1alpha1`. */
  version: string;
  /** Kind, e.g. `Widget`. */
  kind: string;
  /** Lower-case plural used in URLs, e.g. `widgets`. */
  plural: string;
  /** Whether objects live in a namespace (`scope: Namespaced` in the CRD). */
  namespaced: Namespaced;
  /** Default: the kind in lower case. */
  singular?: string;
  /** Default: `<kind>List`. */
  listKind?: string;
  /** Default: none. */
  shortNames?: readonly string[];
  /** Default: none. */
  categories?: readonly string[];
  /** Default: every verb a custom resource serves (`create` … `watch`). */
  verbs?: readonly string[];
  /** Subresources enabled in the CRD. Default: none. */
  subresources?: { status?: boolean; scale?: boolean };
}

const CRD_VERBS = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
] as const;

function subresourcesOf(enabled: { status?: boolean; scale?: boolean } | undefined) {
  const subresources: Record<string, SubresourceDescriptor> = {};
  if (enabled?.status) subresources.status = { verbs: ["get", "patch", "update"] };
  if (enabled?.scale)
    subresources.scale = {
      verbs: ["get", "patch", "update"],
      apiVersion: "autoscaling/v1",
      kind: "Scale",
    };
  return subresources;
}

/** The checks apiextensions-apiserver makes of a CRD's group, versions and names (v1.28). */
function assertValidDefinition(options: DefineResourceOptions<boolean>): void {
  const check = (field: string, value: string, problems: string[]) => {
    if (problems.length > 0)
      throw new InvalidNameError(`defineResource: ${field}`, value, problems);
  };
  check("group", options.group, dns1123SubdomainErrors(options.group));
  check("version", options.version, dns1035LabelErrors(options.version));
  check("plural", options.plural, dns1035LabelErrors(options.plural));
  check("kind", options.kind, dns1035LabelErrors(options.kind.toLowerCase()));
  if (options.singular !== undefined) {
    check("singular", options.singular, dns1035LabelErrors(options.singular));
  }
}

/**
 * The descriptor of a custom resource, typed: its objects are `CustomObject<Spec, Status>`.
 * @throws {InvalidNameError} when the group is not a DNS-1123 subdomain, or the version, plural,
 * singular or (lower-cased) kind not a DNS-1035 label — as apiextensions-apiserver refuses a CRD.
 */
export function defineResource<
  Spec = unknown,
  Status = unknown,
  Namespaced extends boolean = boolean,
>(
  options: DefineResourceOptions<Namespaced>,
): ResourceDescriptor<CustomObject<Spec, Status>, Namespaced> {
  assertValidDefinition(options);
  return {
    group: options.group,
    version: options.version,
    apiVersion: `${options.group}/${options.version}`,
    kind: options.kind,
    plural: options.plural,
    namespaced: options.namespaced,
    singular: options.singular ?? options.kind.toLowerCase(),
    verbs: options.verbs ?? CRD_VERBS,
    listKind: options.listKind ?? `${options.kind}List`,
    shortNames: options.shortNames ?? [],
    categories: options.categories ?? [],
    subresources: subresourcesOf(options.subresources),
  };
}

/** One descriptor per served version of a CustomResourceDefinition object, in the CRD's order. */
export function descriptorsFromCustomResourceDefinition(
  crd: CustomResourceDefinition,
): ResourceDescriptor<CustomObject>[] {
  const { group, names, scope, versions } = crd.spec;
  return versions
    .filter((version) => version.served)
    .map((version) =>
      defineResource({
        group,
        version: version.name,
        kind: names.kind,
        plural: names.plural,
        namespaced: scope === "Namespaced",
        singular: names.singular || undefined,
        listKind: names.listKind || undefined,
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        subresources: {
          status: version.subresources?.status !== undefined,
          scale: version.subresources?.scale !== undefined,
        },
      }),
    );
}
