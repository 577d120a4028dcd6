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

/** A certificate and its private key, PEM. */
export interface IssuedCertificate {
  readonly cert: string;
  /** PKCS#8 private key. */
  readonly key: string;
}

/** What {@link CertificateAuthority.issue} makes. */
export interface IssueOptions {
  /** Subject common name; for client certificates the Kubernetes user name. */
  commonName: string;
  /** Subject organizations; for client certificates the Kubernetes groups. */
  organizations?: string[];
  /** DNS names and IP addresses, as subject alternative names (server certificates). */
  names?: readonly string[];
  /** `server` (serverAuth) or `client` (clientAuth, for mutual TLS). */
  usage: "server" | "client";
}

/** A CA that lives in memory: its certificate (PEM) and a way to sign new ones. */
export interface CertificateAuthority {
  readonly ca: string;
  issue(options: IssueOptions): Promise<IssuedCertificate>;
}

/** A new ECDSA P-256 CA, valid one day, that can issue server and client certificates. Nothing is written to disk. */
export async function createCertificateAuthority(
  commonName = "kin-mock-server-ca",
): Promise<CertificateAuthority> {
  const { crypto } = globalThis;
  x509.cryptoProvider.set(crypto);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 24 * 3600_000);
  const caKeys = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const authority = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=${commonName}`,
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
  let serial = 1;
  return {
    ca: authority.toString("pem"),
    async issue({ commonName: cn, organizations = [], names = [], usage }) {
      const keys = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
      const subject = [`CN=${cn}`, ...organizations.map((o) => `O=${o}`)].join(", ");
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: (++serial).toString(16).padStart(2, "0"),
        subject,
        issuer: authority.subject,
        notBefore,
        notAfter,
        signingKey: caKeys.privateKey,
        publicKey: keys.publicKey,
        signingAlgorithm: algorithm,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([
            usage === "server"
              ? x509.ExtendedKeyUsage.serverAuth
              : x509.ExtendedKeyUsage.clientAuth,
          ]),
          ...(names.length > 0
            ? [
                new x509.SubjectAlternativeNameExtension(
                  names.map((value) => ({
                    type: isIp(value) ? ("ip" as const) : ("dns" as const),
                    value,
                  })),
                ),
              ]
            : []),
          await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
        ],
      });
      return {
        cert: cert.toString("pem"),
        key: pemKey(await crypto.subtle.exportKey("pkcs8", keys.privateKey)),
      };
    },
  };
}

/**
 * A new CA (valid one day) and a serving certificate for `names` (DNS names and IP addresses as
 * subject alternative names), generated with ECDSA P-256 in memory. Nothing is written to disk.
 */
export async function generateCertificates(
  names: readonly string[] = DEFAULT_SERVER_NAMES,
): Promise<Certificates> {
  const authority = await createCertificateAuthority();
  const server = await authority.issue({ commonName: "kube-apiserver", names, usage: "server" });
  return { ca: authority.ca, ...server };
}
