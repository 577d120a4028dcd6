// Label and field selectors of a list or watch, parsed by @kin/resources (labels/selector.go,
// fields/selector.go) with the per-kind field support of strategies/fieldSelectors.ts.
import { type KubeObject, parseLabelSelector } from "@kin/resources";
import type { Served } from "../discovery/catalogue.js";
import * as status from "../http/status.js";
import { StatusError } from "../http/status.js";
import { fieldFilter } from "../strategies/fieldSelectors.js";

export interface Selection {
  /** `undefined` when both selectors select everything. */
  predicate: ((object: KubeObject) => boolean) | undefined;
}

export function selection(served: Served, query: URLSearchParams): Selection {
  try {
    const labels = parseLabelSelector(query.get("labelSelector") ?? "");
    const fields = fieldFilter(
      served.descriptor.group,
      served.descriptor.kind,
      query.get("fieldSelector") ?? "",
    );
    const noLabels = labels.requirements.length === 0;
    if (noLabels && fields.empty) return { predicate: undefined };
    return {
      predicate: (object) =>
        (noLabels || labels.matches(object.metadata?.labels ?? {})) && fields.matches(object),
    };
  } catch (error) {
    throw new StatusError(status.badRequest((error as Error).message));
  }
}
