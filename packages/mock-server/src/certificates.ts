// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

/** PEM material of a fresh cluster CA and the API server's serving certificate. */
export interface Certificates {
  /** The CA certificate clients trust (what a pod finds in `ca.crt`). */
  readonly ca: string;
  /** The serving certificate, signed by the CA. */
  readonly cert: string;
  /** The serving certificate's private key (PKCS#8). */
  readonly key: string;
}

/** The names a real cluster's API server certificate carries, plus loopback. */
export const DEFAULT_SERVER_NAMES = [
  "kubernetes.default.svc",
  "kubernetes.default",
  "kubernetes",
  "localhost",
  "127.0.0.1",
  "::1",
];

const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const isIp = (name: string) => /^[\d.]+$/.test(name) || name.includes(":");

function pemKey(der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join("\n")}\n-----END PRIVATE KEY-----\n`;
}

/**
 * A new CA (valid one day) and a serving certificate for `names` (DNS names and IP addresses as
 * subject alternative names), generated with ECDSA P-256 in memory. Nothing is written to disk.
 */
export async function generateCertificates(
  names: readonly string[] = DEFAULT_SERVER_NAMES,
): Promise<Certificates> {
  const { crypto } = globalThis;
  x509.cryptoProvider.set(crypto);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 24 * 3600_000);
  const caKeys = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=kin-mock-server-ca",
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "CN=kube-apiserver",
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: serverKeys.publicKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((value) => ({ type: isIp(value) ? ("ip" as const) : ("dns" as const), value })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return {
    ca: ca.toString("pem"),
    cert: cert.toString("pem"),
    key: pemKey(await crypto.subtle.exportKey("pkcs8", serverKeys.privateKey)),
  };
}
