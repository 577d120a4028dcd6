import { CredentialsError } from "./errors.js";
import { FILE_LIMITS, readText } from "./files.js";

const certificatePattern = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** Whether `pem` holds at least one PEM certificate. */
export const isCertificate = (pem: string): boolean => certificatePattern.test(pem);

/** Reads a CA bundle file and checks it holds a certificate. */
export async function readCaFile(path: string): Promise<string> {
  const pem = await readText(path, "CA file", FILE_LIMITS.ca);
  if (!isCertificate(pem))
    throw new CredentialsError("InvalidFile", path, `CA file ${path} holds no PEM certificate`);
  return pem;
}
