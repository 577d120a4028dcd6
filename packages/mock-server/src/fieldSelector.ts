import type { KubeObject } from "@kin/resources";

// Field selectors support `=`, `==` and `!=` on the fields each kind registers
// (pkg/registry/*/strategy.go: metadata.name and metadata.namespace for every kind, more for pods).
const extraFields: Record<string, readonly string[]> = {
  pods: [
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
  ],
  namespaces: ["status.phase"],
};

function fieldValue(object: KubeObject, path: string): string {
  let value: unknown = object;
  for (const part of path.split("."))
    value = (value as Record<string, unknown> | undefined)?.[part];
  return value === undefined || value === null ? "" : String(value);
}

export type FieldPredicate = (object: KubeObject) => boolean;

/** A predicate for the field selector of `plural`; throws `field label not supported: x` as the server does. */
export function parseFieldSelector(plural: string, selector: string): FieldPredicate {
  if (selector.trim() === "") return () => true;
  const supported = new Set([
    "metadata.name",
    "metadata.namespace",
    ...(extraFields[plural] ?? []),
  ]);
  const requirements = selector.split(",").map((text) => {
    const match = /^\s*([^!=\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(text);
    if (!match) throw new Error(`invalid selector: '${selector}'; can't understand '${text}'`);
    const [, field = "", operator, value = ""] = match;
    if (!supported.has(field)) throw new Error(`field label not supported: ${field}`);
    return operator === "!="
      ? (object: KubeObject) => fieldValue(object, field) !== value
      : (object: KubeObject) => fieldValue(object, field) === value;
  });
  return (object) => requirements.every((matches) => matches(object));
}
