// Compact JWS (RFC 7515) with ES256 through node:crypto: what the API server's service-account token
// signer produces (k8s.io/kubernetes/pkg/serviceaccount/jwt.go signs with the configured key; ES256 for
// an ECDSA P-256 key, RS256 for RSA). No dependency: a JWT is three base64url parts.
import { createHash, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** `kid` header: as the API server, a hash of the public key's DER (keyIDFromPublicKey in jwt.go). */
  readonly keyId: string;
}

/** A new ECDSA P-256 key, as made once per server start. */
export function generateSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const der = publicKey.export({ type: "spki", format: "der" });
  const keyId = createHash("sha256").update(der).digest("base64url");
  return { privateKey, publicKey, keyId };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Signs `claims` as a compact JWS: `{"alg":"ES256","kid":…}.claims.signature` (raw r‖s, RFC 7518 §3.4). */
export function signJwt(claims: Record<string, unknown>, key: SigningKey): string {
  const input = `${b64({ alg: "ES256", kid: key.keyId })}.${b64(claims)}`;
  const signature = sign("sha256", Buffer.from(input), {
    key: key.privateKey,
    dsaEncoding: "ieee-p1363",
  });
  return `${input}.${signature.toString("base64url")}`;
}

/** Whether `token` looks like a JWT at all (three base64url parts): the authenticator's first test. */
export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);

/**
 * The claims of `token` if its header says ES256 and the signature is `key`'s; `undefined` for a
 * malformed token or a wrong signature.
 */
export function verifyJwt(token: string, key: SigningKey): Record<string, unknown> | undefined {
  if (!looksLikeJwt(token)) return undefined;
  const [header, payload, signature] = token.split(".") as [string, string, string];
  try {
    const h = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { alg?: string };
    if (h.alg !== "ES256") return undefined;
    const ok = verify(
      "sha256",
      Buffer.from(`${header}.${payload}`),
      { key: key.publicKey, dsaEncoding: "ieee-p1363" },
      Buffer.from(signature, "base64url"),
    );
    if (!ok) return undefined;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
    return typeof claims === "object" && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The claims of a JWT without checking anything (for tests and diagnostics). */
export function decodeJwt(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}
