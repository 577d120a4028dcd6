// What of an answer is compared between the servers: the parts a client can rely on, without the values
// each server makes up (uids, resourceVersions, timestamps).
import type { Answer } from "./scenario.js";

/**
 * The status code and, for a `Status` body, its fields (a uid in `details` reduced to `<uuid>`; with
 * `maskNumbers`, numbers in the message to `<n>`, for messages that quote a server's resourceVersion); for
 * another object its kind; else the text.
 */
export function outcome(
  answer: Answer,
  options: { maskNumbers?: boolean } = {},
): Record<string, unknown> {
  const { json } = answer;
  if (json === undefined) return { code: answer.status, text: answer.body.trim().slice(0, 200) };
  if (json.kind === "Status") {
    const message: unknown = json.message;
    return {
      code: answer.status,
      status: json.status,
      reason: json.reason,
      message:
        options.maskNumbers && typeof message === "string"
          ? message.replace(/\b\d+\b/g, "<n>")
          : message,
      details:
        typeof json.details?.uid === "string" ? { ...json.details, uid: "<uuid>" } : json.details,
      statusCode: json.code,
    };
  }
  return { code: answer.status, kind: json.kind };
}

const RESOURCE_VERSION = /^[1-9]\d*$/;

/** An object's metadata semantics: what was set, and the shape of what the server generated. */
export function objectMeta(json: any): Record<string, unknown> {
  const meta = json?.metadata ?? {};
  return {
    kind: json?.kind,
    apiVersion: json?.apiVersion,
    name: meta.name,
    namespace: meta.namespace,
    generateName: meta.generateName,
    uid: typeof meta.uid === "string" && /^[0-9a-f-]{36}$/.test(meta.uid) ? "<uuid>" : meta.uid,
    resourceVersion: RESOURCE_VERSION.test(meta.resourceVersion ?? "")
      ? "<number>"
      : meta.resourceVersion,
    generation: meta.generation,
    creationTimestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(meta.creationTimestamp ?? "")
      ? "<RFC 3339>"
      : meta.creationTimestamp,
    labels: meta.labels,
    finalizers: meta.finalizers,
    deletionTimestamp: meta.deletionTimestamp === undefined ? undefined : "<set>",
    managedFields: meta.managedFields?.map((entry: any) => ({
      manager: entry.manager,
      operation: entry.operation,
      apiVersion: entry.apiVersion,
      fieldsType: entry.fieldsType,
      fieldsV1: entry.fieldsV1,
      subresource: entry.subresource,
    })),
  };
}

/** List metadata: which fields are there and the item names. */
export function listShape(json: any): Record<string, unknown> {
  return {
    kind: json?.kind,
    items: json?.items?.map((item: any) => item.metadata?.name),
    resourceVersion: RESOURCE_VERSION.test(json?.metadata?.resourceVersion ?? "")
      ? "<number>"
      : json?.metadata?.resourceVersion,
    continue: typeof json?.metadata?.continue === "string" ? "<token>" : json?.metadata?.continue,
    remainingItemCount: json?.metadata?.remainingItemCount,
  };
}

/** A finished watch's events: type, and the object's kind and name (or the Status of an ERROR). */
export function watchEvents(answer: Answer): unknown {
  if (answer.status !== 200) return outcome(answer);
  const lines = answer.body.split("\n").filter((line) => line.trim() !== "");
  return lines.map((line) => {
    let event: any;
    try {
      event = JSON.parse(line);
    } catch {
      return { unparsed: line.slice(0, 100) };
    }
    if (event.type === "ERROR")
      return {
        type: "ERROR",
        reason: event.object?.reason,
        code: event.object?.code,
        message: event.object?.message?.replace(/\d+/g, "<n>"),
      };
    if (event.type === "BOOKMARK")
      return {
        type: "BOOKMARK",
        kind: event.object?.kind,
        annotations: event.object?.metadata?.annotations,
      };
    return { type: event.type, kind: event.object?.kind, name: event.object?.metadata?.name };
  });
}
