import { constants, type Stats } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { CredentialsError } from "./errors.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The most kin reads of each credential file. A file over its limit is refused (`InvalidFile`),
 * never read whole: a token linked to a huge file, or a kubeconfig gone wrong, cannot fill memory.
 */
export const FILE_LIMITS = {
  /** A service-account or kubeconfig `tokenFile` token: a few KB in practice (a JWT). */
  token: 64 * KiB,
  /** A CA bundle (`ca.crt`, `certificate-authority`): room for hundreds of certificates. */
  ca: 1 * MiB,
  /** A client certificate chain. */
  certificate: 1 * MiB,
  /** A client private key: a few KB for the largest RSA key. */
  key: 64 * KiB,
  /** The service-account `namespace` file: a DNS label, at most 63 characters. */
  namespace: 1 * KiB,
  /** One kubeconfig file, with its embedded certificates. */
  kubeconfig: 16 * MiB,
} as const;

/** A size for messages: `64 KiB`, `1 MiB`, `100 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} bytes`;
}

// O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below). O_NOCTTY: a terminal
// device never becomes ours. Both are 0 where they do not exist (Windows).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const CHUNK = 64 * KiB;

/** What a file that is not a regular one is (a socket cannot even be opened: ENXIO). */
function kindOf(info: Stats): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a FIFO";
  return info.isCharacterDevice() ? "a character device" : "a block device";
}

/**
 * Reads a UTF-8 credential file of at most `maxBytes`. The file must be a regular file (after
 * symlinks): a FIFO, device or directory is refused without blocking. Failures are a
 * {@link CredentialsError} naming `what` and the path: `FileUnreadable` (missing, no permission, not a
 * regular file; the system error in `cause`), `InvalidFile` (over the limit). Nothing of the content
 * reaches a message.
 */
export async function readText(path: string, what: string, maxBytes: number): Promise<string> {
  const unreadable = (reason: string, cause?: unknown) =>
    new CredentialsError("FileUnreadable", path, `cannot read ${what} ${path}: ${reason}`, {
      cause,
    });
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw unreadable((error as NodeJS.ErrnoException).code ?? String(error), error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw unreadable(`${kindOf(info)}, not a regular file`);
    const tooLarge = () =>
      new CredentialsError(
        "InvalidFile",
        path,
        `${what} ${path} is larger than ${formatBytes(maxBytes)}`,
      );
    if (info.size > maxBytes) throw tooLarge();
    // Read in chunks up to the limit: the file may have grown since fstat.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw tooLarge();
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } catch (error) {
    if (error instanceof CredentialsError) throw error;
    throw unreadable((error as NodeJS.ErrnoException).code ?? String(error), error);
  } finally {
    await handle.close();
  }
}

/** Whether `error` is {@link readText}'s failure for a file that does not exist. */
export const isMissingFile = (error: unknown): boolean =>
  error instanceof CredentialsError &&
  error.code === "FileUnreadable" &&
  (error.cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
