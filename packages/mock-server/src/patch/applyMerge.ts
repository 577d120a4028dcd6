// Merging an apply configuration into the live object by the schema's list and map types
// (structured-merge-diff typed/merge.go, mergingWalker): granular maps and structs merge key by key,
// list maps and sets merge item by item (identified by their keys or values), atomic values and scalars
// are replaced by the configuration's.

import { clone, isObject, type JsonObject } from "./json.js";
import { childType, type NodeType } from "./schema.js";
import { listElement, shapeOf } from "./typedValue.js";

function mergeLists(lhs: unknown[], rhs: unknown[], type: NodeType): unknown[] {
  const shape = shapeOf(type);
  const itemType = type.items ?? {};
  const lhsPEs = lhs.map((item, i) => listElement(item, i, shape));
  const rhsPEs = rhs.map((item, i) => listElement(item, i, shape));
  const lhsBy = new Map(lhsPEs.map((pe, i) => [pe, lhs[i]]));
  const rhsBy = new Map(rhsPEs.map((pe, i) => [pe, rhs[i]]));
  // The order of visitListItems: the configuration's order for the items both have, live-only items
  // where they were, new items where the configuration puts them.
  const shared = rhsPEs.filter((pe) => lhsBy.has(pe));
  let nextShared = 0;
  const merged = new Set<string>();
  const out: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < lhsPEs.length || r < rhsPEs.length) {
    if (l < lhsPEs.length && r < rhsPEs.length) {
      const pe = lhsPEs[l] as string;
      if (pe === rhsPEs[r]) {
        merged.add(pe);
        out.push(mergeValues(lhsBy.get(pe), rhsBy.get(pe), itemType));
        l++;
        r++;
        if (shared[nextShared] === pe) nextShared++;
        continue;
      }
      if (rhsBy.has(pe) && nextShared < shared.length && shared[nextShared] !== pe) {
        l++;
        continue;
      }
    }
    if (l < lhsPEs.length) {
      const pe = lhsPEs[l] as string;
      if (!rhsBy.has(pe)) {
        out.push(lhs[l]);
        l++;
        continue;
      }
      if (merged.has(pe)) {
        l++;
        continue;
      }
    }
    if (r < rhsPEs.length) {
      const pe = rhsPEs[r] as string;
      merged.add(pe);
      out.push(mergeValues(lhsBy.get(pe), rhsBy.get(pe), itemType));
      r++;
      if (shared[nextShared] === pe) nextShared++;
    }
  }
  return out;
}

/** The live value `lhs` with the applied value `rhs` merged in, both of type `type`. */
export function mergeValues(lhs: unknown, rhs: unknown, type: NodeType): unknown {
  if (lhs === undefined || lhs === null) return clone(rhs);
  if (isObject(lhs) && isObject(rhs) && !type.atomic) {
    const out: JsonObject = { ...lhs };
    for (const [key, value] of Object.entries(rhs)) {
      out[key] = mergeValues(lhs[key], value, childType(type, key));
    }
    return out;
  }
  if (Array.isArray(lhs) && Array.isArray(rhs) && shapeOf(type).type !== "atomic") {
    return mergeLists(lhs, rhs, type);
  }
  return clone(rhs);
}
