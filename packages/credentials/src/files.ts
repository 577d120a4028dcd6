import { readFile } from "node:fs/promises";
import { CredentialsError } from "./errors.js";

/** Reads a UTF-8 file; failure is a {@link CredentialsError} naming `what` and the path. */
export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CredentialsError("FileUnreadable", path, `cannot read ${what} ${path}: ${reason}`, {
      cause: error,
    });
  }
}
