import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { CredentialsError } from "../errors.js";
import type {
  KubeconfigCluster,
  KubeconfigContext,
  KubeconfigUser,
  MergedKubeconfig,
  Named,
} from "./types.js";

type Section = "clusters" | "users" | "contexts";
const entryKey: Record<Section, string> = {
  clusters: "cluster",
  users: "user",
  contexts: "context",
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** An error about `field` of the kubeconfig `file`: `kubeconfig <file>: <field>: <problem>`. */
export function invalid(file: string, field: string, problem: string): CredentialsError {
  return new CredentialsError(
    "InvalidConfig",
    `${file}: ${field}`,
    `kubeconfig ${file}: ${field}: ${problem}`,
  );
}

/** Parses one kubeconfig file's text; errors name the file and the field. */
export function parseKubeconfig(text: string, file: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0];
    throw new CredentialsError(
      "InvalidConfig",
      file,
      `kubeconfig ${file} is not valid YAML: ${reason}`,
      { cause: error },
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
  return list.map((item, index) => {
    const field = `${section}[${index}]`;
    if (!isObject(item)) throw invalid(file, field, "must be a mapping");
    if (typeof item.name !== "string" || item.name === "")
      throw invalid(file, `${field}.name`, "is required");
    const value = item[entryKey[section]] ?? {};
    if (!isObject(value)) throw invalid(file, `${field}.${entryKey[section]}`, "must be a mapping");
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
      text = await readFile(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") continue;
      throw new CredentialsError(
        "FileUnreadable",
        file,
        `cannot read kubeconfig ${file}: ${code ?? String(error)}`,
        { cause: error },
      );
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
