// Bearer-token authentication: static tokens (as a --token-auth-file) and service-account tokens, real
// signed JWTs shaped like the bound tokens of the TokenRequest API and checked as the API server checks
// them (k8s.io/kubernetes/pkg/serviceaccount/jwt.go and claims.go, KEP-1205 "Bound Service Account Tokens").
import { randomBytes } from "node:crypto";
import type { KubeObject } from "@kin/resources";
import { type Meta, metaOf } from "../registry/metadata.js";
import {
  DEFAULT_USER,
  MASTERS,
  serviceAccountGroups,
  serviceAccountUsername,
  type UserInfo,
  withAuthenticated,
} from "./identity.js";
import { generateSigningKey, looksLikeJwt, type SigningKey, signJwt, verifyJwt } from "./jwt.js";

/** The in-cluster issuer (`--service-account-issuer` of kubeadm and most clusters). */
export const DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/**
 * go-jose's `jwt.DefaultLeeway`: claims.go validates `exp`/`nbf`/`iat` with `public.Validate`, which
 * allows one minute of clock skew, and treats objects deleted more than a minute ago as gone.
 */
export const LEEWAY_SECONDS = 60;

/** Who a static token is: `issueToken({ user, groups })`. */
export interface StaticIdentity {
  /** Default `kin-mock-user`. */
  user?: string;
  /** Default `["system:masters"]` (allowed everything, also with RBAC on). `system:authenticated` is always added. */
  groups?: string[];
  uid?: string;
}

export interface ServiceAccountTokenOptions {
  namespace: string;
  /** The service account's name. Created (in an existing namespace) if missing. */
  name: string;
  /**
   * A pod to bind the token to: it must exist; the token stops working once the pod is deleted or
   * replaced (another uid), as a bound token does. Its name and uid go into the `kubernetes.io` claim.
   */
  pod?: string;
  /** Lifetime. Default 3600 (the TokenRequest default). The server's 600 s minimum is not enforced. */
  expirationSeconds?: number;
  /** `aud`. Default the server's API audiences (`[issuer]`). */
  audiences?: string[];
}

/** What the authenticator needs from the server's store. */
export interface ObjectLookup {
  serviceAccount(namespace: string, name: string): KubeObject | undefined;
  pod(namespace: string, name: string): KubeObject | undefined;
  /** Creates the ServiceAccount (throws if the namespace does not exist). */
  createServiceAccount(namespace: string, name: string): KubeObject;
}

export interface TokenAuthorityOptions {
  /** `iss` of issued tokens, the only issuer accepted. Default {@link DEFAULT_ISSUER}. */
  issuer?: string;
  /** `--api-audiences`: a token must carry one of them. Default `[issuer]`. */
  audiences?: string[];
}

interface BoundClaims {
  namespace?: string;
  serviceaccount?: { name?: string; uid?: string };
  pod?: { name?: string; uid?: string };
}

const now = () => Math.floor(Date.now() / 1000);

/** Issues, checks, expires and revokes the server's bearer tokens. */
export class TokenAuthority {
  readonly issuer: string;
  readonly audiences: readonly string[];
  #signingKey: SigningKey | undefined;
  readonly #static = new Map<string, UserInfo>();
  /** Service-account tokens revoked or expired by a test: token → from when (seconds) it is refused. */
  readonly #cutOff = new Map<string, number>();

  constructor(
    readonly lookup: ObjectLookup,
    options: TokenAuthorityOptions = {},
  ) {
    this.issuer = options.issuer ?? DEFAULT_ISSUER;
    this.audiences = options.audiences ?? [this.issuer];
  }

  /** The key made for this server (on first use: a server that issues no JWT makes none). */
  get #key(): SigningKey {
    this.#signingKey ??= generateSigningKey();
    return this.#signingKey;
  }

  /** Accepts `token` as `identity` (the `tokens` option, `issueToken()`). */
  addStatic(token: string, identity: StaticIdentity = {}): void {
    this.#static.set(token, {
      username: identity.user ?? DEFAULT_USER,
      ...(identity.uid ? { uid: identity.uid } : {}),
      groups: withAuthenticated(identity.groups ?? [MASTERS]),
    });
  }

  issueStatic(identity: StaticIdentity = {}): string {
    const token = randomBytes(24).toString("base64url");
    this.addStatic(token, identity);
    return token;
  }

  /** A bound service-account token (TokenRequest), signed with the key made at server start. */
  issueServiceAccountToken(options: ServiceAccountTokenOptions): string {
    const { namespace, name } = options;
    const sa =
      this.lookup.serviceAccount(namespace, name) ??
      this.lookup.createServiceAccount(namespace, name);
    const kubernetes: BoundClaims = {
      namespace,
      serviceaccount: { name, uid: metaOf(sa).uid ?? "" },
    };
    if (options.pod !== undefined) {
      const pod = this.lookup.pod(namespace, options.pod);
      if (!pod) throw new Error(`pods "${options.pod}" not found`);
      kubernetes.pod = { name: options.pod, uid: metaOf(pod).uid ?? "" };
    }
    const iat = now();
    // claims.go Claims(): the fields of a bound token, in the order jose encodes them.
    return signJwt(
      {
        aud: options.audiences ?? [...this.audiences],
        exp: iat + (options.expirationSeconds ?? 3600),
        iat,
        iss: this.issuer,
        "kubernetes.io": kubernetes,
        nbf: iat,
        sub: serviceAccountUsername(namespace, name),
      },
      this.#key,
    );
  }

  /** Signs arbitrary claims with the server's key (tests that need a token no issuer would make). */
  signClaims(claims: Record<string, unknown>): string {
    return signJwt(claims, this.#key);
  }

  /** From now on `token` gets 401 (both kinds). */
  revoke(token: string): void {
    if (this.#static.delete(token)) return;
    this.#cutOff.set(token, Number.NEGATIVE_INFINITY);
  }

  /** `token` is refused from `at` (epoch seconds; default now). A static token is revoked at once. */
  expire(token: string, at = now()): void {
    if (at <= now() && this.#static.delete(token)) return;
    this.#cutOff.set(token, at);
  }

  /** Who `token` is, or `undefined` (→ 401) for an unknown, malformed, expired or revoked one. */
  authenticate(token: string): UserInfo | undefined {
    const user = this.#static.get(token);
    if (user) return user;
    if (!looksLikeJwt(token)) return undefined;
    const cutOff = this.#cutOff.get(token);
    if (cutOff !== undefined && now() >= cutOff) return undefined;
    const claims = verifyJwt(token, this.#key);
    if (!claims) return undefined;
    return this.#validate(claims);
  }

  #validate(claims: Record<string, unknown>): UserInfo | undefined {
    // jwt.go: a token of another issuer is not ours (no authenticator accepts it → 401).
    if (claims.iss !== this.issuer) return undefined;
    // jwt.go: "token audiences %q is invalid for the target audiences %q" when they do not intersect.
    const aud = typeof claims.aud === "string" ? [claims.aud] : claims.aud;
    if (!Array.isArray(aud) || !aud.some((a) => this.audiences.includes(a as string)))
      return undefined;
    // claims.go: "service account token has expired" / "is not valid yet" / "is issued in the future".
    const t = now();
    const num = (v: unknown) => (typeof v === "number" ? v : undefined);
    const exp = num(claims.exp);
    const nbf = num(claims.nbf);
    const iat = num(claims.iat);
    if (exp !== undefined && t > exp + LEEWAY_SECONDS) return undefined;
    if (nbf !== undefined && t + LEEWAY_SECONDS < nbf) return undefined;
    if (iat !== undefined && t + LEEWAY_SECONDS < iat) return undefined;
    const k = claims["kubernetes.io"] as BoundClaims | undefined;
    const namespace = k?.namespace;
    const saName = k?.serviceaccount?.name;
    if (typeof namespace !== "string" || typeof saName !== "string") return undefined;
    if (claims.sub !== serviceAccountUsername(namespace, saName)) return undefined;
    // claims.go Validate: the service account (and the bound pod) must still exist with the claimed uid.
    const sa = this.lookup.serviceAccount(namespace, saName);
    if (!sa || gone(metaOf(sa), t) || metaOf(sa).uid !== k?.serviceaccount?.uid) return undefined;
    const extra: Record<string, string[]> = {};
    if (k?.pod) {
      const pod = this.lookup.pod(namespace, k.pod.name ?? "");
      if (!pod || gone(metaOf(pod), t) || metaOf(pod).uid !== k.pod.uid) return undefined;
      // apiserver/pkg/authentication/serviceaccount/util.go: PodNameKey, PodUIDKey.
      extra["authentication.kubernetes.io/pod-name"] = [k.pod.name ?? ""];
      extra["authentication.kubernetes.io/pod-uid"] = [k.pod.uid ?? ""];
    }
    return {
      username: serviceAccountUsername(namespace, saName),
      uid: metaOf(sa).uid ?? "",
      groups: serviceAccountGroups(namespace),
      ...(Object.keys(extra).length > 0 ? { extra } : {}),
    };
  }
}

/** claims.go: an object deleted (deletionTimestamp) more than the leeway ago no longer backs a token. */
function gone(meta: Meta, t: number): boolean {
  if (meta.deletionTimestamp === undefined) return false;
  return Date.parse(String(meta.deletionTimestamp)) / 1000 < t - LEEWAY_SECONDS;
}
