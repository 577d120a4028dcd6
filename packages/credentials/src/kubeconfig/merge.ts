import { parse } from "yaml";
import { CredentialsError } from "../errors.js";
import { FILE_LIMITS, isMissingFile, readText } from "../files.js";
import { checkEntry, isObject } from "./schema.js";
import type {
  KubeconfigCluster,
  KubeconfigContext,
  KubeconfigUser,
  MergedKubeconfig,
  Named,
} from "./types.js";

type Section = "clusters" | "users" | "contexts";
const entryKey = {
  clusters: "cluster",
  users: "user",
  contexts: "context",
} as const satisfies Record<Section, string>;

/** An error about `field` of the kubeconfig `file`: `kubeconfig <file>: <field>: <problem>`. */
export function invalid(file: string, field: string, problem: string): CredentialsError {
  return new CredentialsError(
    "InvalidConfig",
    `${file}: ${field}`,
    `kubeconfig ${file}: ${field}: ${problem}`,
  );
}

/**
 * Where and why the YAML parser gave up, with nothing of the text: the parser's own message and error
 * quote the source (a token on the line in question), so neither reaches the message or `cause`.
 */
function yamlFailure(error: unknown): string {
  const { code, linePos } = error as { code?: unknown; linePos?: { line: number; col: number }[] };
  const at = linePos?.[0];
  if (typeof code === "string" && at) return `${code} at line ${at.line}, column ${at.col}`;
  // Not a YAMLParseError: an alias that is unresolved, or used too often (an alias bomb).
  return "an alias is unresolved or repeated too often";
}

/** Parses one kubeconfig file's text; errors name the file and the field, never the content. */
export function parseKubeconfig(text: string, file: string): Record<string, unknown> {
  let document: unknown;
  try {
    // logLevel "error": warnings (an unknown tag) would print the source line to stderr.
    document = parse(text, { logLevel: "error" });
  } catch (error) {
    throw new CredentialsError(
      "InvalidConfig",
      file,
      `kubeconfig ${file} is not valid YAML: ${yamlFailure(error)}`,
    );
  }
  if (document === null || document === undefined) return {};
  if (!isObject(document)) throw invalid(file, "(root)", "must be a mapping");
  return document;
}

function entries<T>(document: Record<string, unknown>, section: Section, file: string): Named<T>[] {
  const list = document[section];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalid(file, section, "must be a list");
  const problem = (field: string, what: string) => invalid(file, field, what);
  return list.map((item, index) => {
    const field = `${section}[${index}]`;
    if (!isObject(item)) throw invalid(file, field, "must be a mapping");
    if (typeof item.name !== "string" || item.name === "")
      throw invalid(file, `${field}.name`, "is required");
    const key = entryKey[section];
    const value = checkEntry[key](item[key] ?? {}, `${section}[${item.name}].${key}`, problem);
    return { name: item.name, value: value as T, file };
  });
}

/**
 * Reads kubeconfig files and merges them as kubectl does (clientcmd's loading rules): a name
 * defined in an earlier file wins, the first `current-context` set wins. Files in the list that do
 * not exist are skipped, as kubectl skips them; an empty list of existing files is an error.
 */
export async function mergeKubeconfigFiles(files: readonly string[]): Promise<MergedKubeconfig> {
  const read: string[] = [];
  const clusters = new Map<string, Named<KubeconfigCluster>>();
  const users = new Map<string, Named<KubeconfigUser>>();
  const contexts = new Map<string, Named<KubeconfigContext>>();
  let currentContext: string | undefined;
  for (const file of files) {
    let text: string;
    try {
      text = await readText(file, "kubeconfig", FILE_LIMITS.kubeconfig);
    } catch (error) {
      // kubectl skips a file in the list that does not exist; one that is there but unreadable is an error.
      if (isMissingFile(error)) continue;
      throw error;
    }
    read.push(file);
    const document = parseKubeconfig(text, file);
    const current = document["current-context"];
    if (current !== undefined && current !== null && typeof current !== "string") {
      throw invalid(file, "current-context", "must be a string");
    }
    if (!currentContext && current) currentContext = current;
    const add = <T>(map: Map<string, Named<T>>, section: Section) => {
      for (const entry of entries<T>(document, section, file))
        if (!map.has(entry.name)) map.set(entry.name, entry);
    };
    add(clusters, "clusters");
    add(users, "users");
    add(contexts, "contexts");
  }
  if (read.length === 0) {
    throw new CredentialsError(
      "FileUnreadable",
      files.join(", "),
      `no kubeconfig file exists (looked for ${files.join(", ")})`,
    );
  }
  return { files: read, currentContext, clusters, users, contexts };
}
