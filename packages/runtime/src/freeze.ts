/**
 * Freezes `value` and everything reachable from it, so a reader of a store cannot change what other
 * readers see (a write throws a `TypeError` in strict-mode code, which every ES module is).
 * Objects decoded from JSON have no cycles; already frozen branches are skipped.
 */
export function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== "object" || next === null || Object.isFrozen(next)) continue;
    Object.freeze(next);
    for (const child of Object.values(next)) {
      if (typeof child === "object" && child !== null) pending.push(child);
    }
  }
  return value;
}
