// Server-managed metadata: uid, timestamps, generateName suffixes.
import { randomUUID } from "node:crypto";
import type { ObjectMeta } from "@kin/resources";

/** Seconds-precision RFC 3339, as the API server writes `metav1.Time`. */
export const timestamp = (date = new Date()) => `${date.toISOString().slice(0, 19)}Z`;

export const newUid = () => randomUUID();

/**
 * Random suffix of `generateName`: five characters of `utilrand.String`'s alphabet (no vowels, no
 * look-alikes; apiserver/pkg/storage/names/generate.go).
 */
export function nameSuffix(): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += alphabet[Math.floor(Math.random() * alphabet.length)];
  return suffix;
}

/** `generateName` + suffix, the base cut so the whole is at most 63 characters (maxGeneratedNameLength). */
export function generatedName(base: string): string {
  return `${base.length > 58 ? base.slice(0, 58) : base}${nameSuffix()}`;
}

/** ObjectMeta with the fields the server manages always readable. */
export type Meta = ObjectMeta & { [key: string]: unknown };

export const metaOf = (object: { metadata?: unknown }): Meta => (object.metadata ?? {}) as Meta;
