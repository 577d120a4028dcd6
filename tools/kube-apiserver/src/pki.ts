import { generateKeyPairSync } from "node:crypto";
import { type CertificateAuthority, createCertificateAuthority } from "@kin/mock-server";

/** The names of a real cluster's API server certificate: the in-cluster service names, loopback, the service IP. */
export const SERVING_NAMES = [
  "kubernetes",
  "kubernetes.default",
  "kubernetes.default.svc",
  "kubernetes.default.svc.cluster.local",
  "localhost",
  "127.0.0.1",
  "::1",
] as const;

/** PEM material the servers start with. */
export interface Pki {
  /** The cluster CA: signs the serving certificate and client certificates. */
  readonly authority: CertificateAuthority;
  readonly servingCert: string;
  readonly servingKey: string;
  /** The service-account token signing key (ECDSA P-256, SEC1 PEM) and its public key (SPKI PEM). */
  readonly serviceAccountKey: string;
  readonly serviceAccountPublicKey: string;
}

/**
 * A fresh CA (the mock server's generator: ECDSA P-256, valid one day, in memory), a serving certificate for
 * {@link SERVING_NAMES} plus `serviceIp`, and a service-account signing key pair.
 */
export async function createPki(serviceIp: string): Promise<Pki> {
  const authority = await createCertificateAuthority("kin-kube-apiserver-ca");
  const serving = await authority.issue({
    commonName: "kube-apiserver",
    names: [...SERVING_NAMES, serviceIp],
    usage: "server",
  });
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    authority,
    servingCert: serving.cert,
    servingKey: serving.key,
    serviceAccountKey: privateKey.export({ type: "sec1", format: "pem" }).toString(),
    serviceAccountPublicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}
