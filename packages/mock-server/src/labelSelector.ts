// The label selector grammar of k8s.io/apimachinery/pkg/labels (selector.go): comma-separated
// requirements `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`.

export type LabelPredicate = (labels: Readonly<Record<string, string>>) => boolean;

/** Splits on commas outside parentheses. */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of selector) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim());
}

const KEY = "[A-Za-z0-9](?:[-A-Za-z0-9_./]*[A-Za-z0-9])?";
const VALUE = "(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?";
const setPattern = new RegExp(`^(?<key>${KEY})\\s+(?<op>in|notin)\\s*\\((?<values>[^)]*)\\)$`);
const equalityPattern = new RegExp(`^(?<key>${KEY})\\s*(?<op>==|=|!=)\\s*(?<value>${VALUE})$`);
const existsPattern = new RegExp(`^(?<not>!?)\\s*(?<key>${KEY})$`);

function requirement(text: string): LabelPredicate {
  const set = setPattern.exec(text)?.groups;
  if (set) {
    const key = set.key as string;
    const values = new Set((set.values as string).split(",").map((v) => v.trim()));
    const has = (labels: Readonly<Record<string, string>>) =>
      key in labels && values.has(labels[key] as string);
    return set.op === "in" ? has : (labels) => !has(labels);
  }
  const equality = equalityPattern.exec(text)?.groups;
  if (equality) {
    const { key = "", op, value = "" } = equality;
    return op === "!=" ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  const exists = existsPattern.exec(text)?.groups;
  if (exists) {
    const key = exists.key as string;
    return exists.not === "!" ? (labels) => !(key in labels) : (labels) => key in labels;
  }
  throw new Error(`unable to parse requirement: ${JSON.stringify(text)}`);
}

/** A predicate for `selector`; the empty selector matches everything. Throws on a malformed selector. */
export function parseLabelSelector(selector: string): LabelPredicate {
  if (selector.trim() === "") return () => true;
  const requirements = splitRequirements(selector).map(requirement);
  return (labels) => requirements.every((matches) => matches(labels));
}
