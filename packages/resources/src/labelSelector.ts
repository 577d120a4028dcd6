// Label selectors: a builder that writes exactly what the API server parses, and a parser faithful to
// k8s.io/apimachinery/pkg/labels/selector.go (lexer, parser, NewRequirement's validation, String(),
// Matches), with its error messages.

import { ResourcesError } from "./errors.js";
import { labelValueErrors, qualifiedNameErrors } from "./names.js";

/** A requirement operator, as `selection.Operator` spells it (`!` is "does not exist"). */
export type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

/** One requirement of a label selector: `key op values`. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and without duplicates when parsed; empty for `exists` and `!`. */
  readonly values: readonly string[];
}

/** A parsed label selector. */
export interface ParsedLabelSelector {
  /** Sorted by key, as the API server sorts them. */
  readonly requirements: readonly LabelRequirement[];
  /** Whether a set of labels satisfies every requirement. */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** The canonical text (`labels.Selector.String()`): `a=b,c in (d,e),!f`. */
  toString(): string;
}

/** Thrown for a selector the API server would reject; `message` is the server's. */
export class InvalidSelectorError extends ResourcesError {
  override readonly name = "InvalidSelectorError";
  constructor(
    message: string,
    /** The selector text, when there is one. */
    readonly selector?: string,
  ) {
    super(message);
  }
}

// ---- validation (NewRequirement) -----------------------------------------------------------------

const goQuote = (s: string) => JSON.stringify(s);
const goStringSlice = (values: readonly string[]) =>
  `[]string{${values.map((v) => goQuote(v)).join(", ")}}`;
const INT64 = /^[+-]?\d+$/;
const parseInt64 = (s: string): bigint | undefined => {
  if (!INT64.test(s)) return undefined;
  const n = BigInt(s);
  return n > 9223372036854775807n || n < -9223372036854775808n ? undefined : n;
};

function keyError(key: string, path: string): string | undefined {
  const errors = qualifiedNameErrors(key);
  return errors.length === 0
    ? undefined
    : `${path}: Invalid value: ${goQuote(key)}: ${errors.join("; ")}`;
}

/** NewRequirement: the problems with a requirement, joined as the apiserver's aggregate error. */
function requirementError(requirement: LabelRequirement): string | undefined {
  const { key, operator, values } = requirement;
  const errors: string[] = [];
  const k = keyError(key, "key");
  if (k) errors.push(k);
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0)
        errors.push(
          `values: Invalid value: ${goStringSlice(values)}: for 'in', 'notin' operators, values set can't be empty`,
        );
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1)
        errors.push(
          `values: Invalid value: ${goStringSlice(values)}: exact-match compatibility requires one single value`,
        );
      break;
    case "exists":
    case "!":
      if (values.length !== 0)
        errors.push(
          `values: Invalid value: ${goStringSlice(values)}: values set must be empty for exists and does not exist`,
        );
      break;
    case "gt":
    case "lt":
      if (values.length !== 1)
        errors.push(
          `values: Invalid value: ${goStringSlice(values)}: for 'Gt', 'Lt' operators, exactly one value is required`,
        );
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined)
          errors.push(
            `values[${i}]: Invalid value: ${goQuote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`,
          );
      });
      break;
    default:
      errors.push(
        `operator: Unsupported value: ${goQuote(operator)}: supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"`,
      );
  }
  values.forEach((v, i) => {
    const problems = labelValueErrors(v);
    if (problems.length > 0)
      errors.push(`values[${i}][${key}]: Invalid value: ${goQuote(v)}: ${problems.join("; ")}`);
  });
  const unique = [...new Set(errors)];
  if (unique.length === 0) return undefined;
  return unique.length === 1 ? unique[0] : `[${unique.join(", ")}]`;
}

// ---- text ----------------------------------------------------------------------------------------

const sortedUnique = (values: readonly string[]) =>
  [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** `Requirement.String()`. */
function requirementText({ key, operator, values }: LabelRequirement): string {
  switch (operator) {
    case "exists":
      return key;
    case "!":
      return `!${key}`;
    case "in":
    case "notin":
      return `${key} ${operator} (${values.length === 1 ? values[0] : sortedUnique(values).join(",")})`;
    case "gt":
      return `${key}>${values.join(",")}`;
    case "lt":
      return `${key}<${values.join(",")}`;
    default:
      return `${key}${operator}${values.length === 1 ? values[0] : sortedUnique(values).join(",")}`;
  }
}

function hasLabel(labels: Readonly<Record<string, string>> | undefined, key: string) {
  return labels !== undefined && Object.hasOwn(labels, key);
}

/** `Requirement.Matches`. */
function requirementMatches(
  { key, operator, values }: LabelRequirement,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const has = hasLabel(labels, key);
  const value = has ? (labels as Record<string, string>)[key] : undefined;
  switch (operator) {
    case "in":
    case "=":
    case "==":
      return has && values.includes(value as string);
    case "notin":
    case "!=":
      return !has || !values.includes(value as string);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || values.length !== 1) return false;
      const actual = parseInt64(value as string);
      const bound = parseInt64(values[0] as string);
      if (actual === undefined || bound === undefined) return false;
      return operator === "gt" ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

const byKey = (a: LabelRequirement, b: LabelRequirement) =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

function selectorOf(requirements: LabelRequirement[]): ParsedLabelSelector {
  const sorted = [...requirements].sort(byKey);
  return {
    requirements: sorted,
    matches: (labels) => sorted.every((r) => requirementMatches(r, labels)),
    toString: () => sorted.map(requirementText).join(","),
  };
}

// ---- builder -------------------------------------------------------------------------------------

/** Requirement builders: `label.eq("app", "web")`, `label.in("tier", ["a", "b"])`, `label.exists("x")`, ... */
export const label = {
  /** `key=value` */
  eq: (key: string, value: string): LabelRequirement => ({ key, operator: "=", values: [value] }),
  /** `key!=value` (also matches objects without the label) */
  ne: (key: string, value: string): LabelRequirement => ({ key, operator: "!=", values: [value] }),
  /** `key in (v1,v2)` */
  in: (key: string, values: readonly string[]): LabelRequirement => ({
    key,
    operator: "in",
    values,
  }),
  /** `key notin (v1,v2)` (also matches objects without the label) */
  notIn: (key: string, values: readonly string[]): LabelRequirement => ({
    key,
    operator: "notin",
    values,
  }),
  /** `key` (the label exists) */
  exists: (key: string): LabelRequirement => ({ key, operator: "exists", values: [] }),
  /** `!key` (the label does not exist) */
  notExists: (key: string): LabelRequirement => ({ key, operator: "!", values: [] }),
  /** `key>n` (the label is an integer greater than `n`) */
  gt: (key: string, n: number | bigint): LabelRequirement => ({
    key,
    operator: "gt",
    values: [String(n)],
  }),
  /** `key<n` (the label is an integer less than `n`) */
  lt: (key: string, n: number | bigint): LabelRequirement => ({
    key,
    operator: "lt",
    values: [String(n)],
  }),
} as const;

/**
 * The text of a label selector, as the API server's `labels.Selector.String()` writes it (sorted by key).
 * `{ app: "web" }` is shorthand for `app=web` requirements. Throws {@link InvalidSelectorError} with the
 * server's message for an invalid key, value or operator.
 */
export function labelSelector(
  requirements: readonly LabelRequirement[] | Readonly<Record<string, string>>,
): string {
  const list: LabelRequirement[] = Array.isArray(requirements)
    ? [...(requirements as readonly LabelRequirement[])]
    : Object.entries(requirements as Record<string, string>).map(([k, v]) => label.eq(k, v));
  for (const requirement of list) {
    const error = requirementError(requirement);
    if (error) throw new InvalidSelectorError(error);
  }
  return selectorOf(list).toString();
}

/** A `metav1.LabelSelector` (`spec.selector` of a Deployment, ...). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | string;
    values?: string[];
  }[];
}

/** `metav1.LabelSelectorAsSelector`: the text of a LabelSelector object (`""` selects everything). */
export function labelSelectorFromObject(selector: LabelSelectorObject): string {
  const list: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([k, v]) =>
    label.eq(k, v),
  );
  for (const expr of selector.matchExpressions ?? []) {
    const operator = (
      { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" } as Record<
        string,
        LabelOperator
      >
    )[expr.operator];
    if (!operator)
      throw new InvalidSelectorError(
        `${goQuote(expr.operator)} is not a valid label selector operator`,
      );
    list.push({ key: expr.key, operator, values: expr.values ?? [] });
  }
  return labelSelector(list);
}

// ---- parser (lexer and parser of selector.go) ----------------------------------------------------

type Token =
  | "error"
  | "eos"
  | ")"
  | ","
  | "!"
  | "=="
  | "="
  | ">"
  | "identifier"
  | "in"
  | "<"
  | "!="
  | "notin"
  | "(";

/** `string2token`, as a function so the table costs nothing when the parser is not used. */
function keyword(word: string): Token | undefined {
  switch (word) {
    case ")":
    case ",":
    case "!":
    case "==":
    case "=":
    case ">":
    case "in":
    case "<":
    case "!=":
    case "notin":
    case "(":
      return word;
    default:
      return undefined;
  }
}
const isWhitespace = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";
const isSpecial = (c: string) =>
  c === "=" || c === "!" || c === "(" || c === ")" || c === "," || c === ">" || c === "<";

function lex(input: string): { token: Token; literal: string }[] {
  const items: { token: Token; literal: string }[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos] as string)) pos++;
    if (pos >= input.length) {
      items.push({ token: "eos", literal: "" });
      return items;
    }
    const c = input[pos] as string;
    if (isSpecial(c)) {
      let buffer = "";
      let last: { token: Token; literal: string } | undefined;
      while (pos < input.length && isSpecial(input[pos] as string)) {
        const candidate = buffer + input[pos];
        const token = keyword(candidate);
        if (token) {
          last = { token, literal: candidate };
        } else if (last) {
          break;
        }
        buffer = candidate;
        pos++;
      }
      items.push(last ?? { token: "error", literal: `error expected: keyword found '${buffer}'` });
    } else {
      const start = pos;
      while (
        pos < input.length &&
        !isWhitespace(input[pos] as string) &&
        !isSpecial(input[pos] as string)
      )
        pos++;
      const word = input.slice(start, pos);
      items.push({ token: keyword(word) ?? "identifier", literal: word });
    }
  }
}

class Parser {
  #items: { token: Token; literal: string }[];
  #position = 0;
  constructor(input: string) {
    this.#items = lex(input);
  }
  // In the Values context, `in` and `notin` are identifiers.
  lookahead(values: boolean): [Token, string] {
    const item = this.#items[this.#position] ?? { token: "eos" as Token, literal: "" };
    const token =
      values && (item.token === "in" || item.token === "notin") ? "identifier" : item.token;
    return [token, item.literal];
  }
  consume(values: boolean): [Token, string] {
    const result = this.lookahead(values);
    if (this.#position < this.#items.length - 1) this.#position++;
    return result;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const [token, literal] = this.lookahead(true);
      switch (token) {
        case "identifier":
        case "!": {
          let requirement: LabelRequirement;
          try {
            requirement = this.requirement();
          } catch (error) {
            throw new Error(`unable to parse requirement: ${(error as Error).message}`);
          }
          requirements.push(requirement);
          const [t, l] = this.consume(true);
          if (t === "eos") return requirements;
          if (t === ",") {
            const [t2, l2] = this.lookahead(true);
            if (t2 !== "identifier" && t2 !== "!")
              throw new Error(`found '${l2}', expected: identifier after ','`);
            break;
          }
          throw new Error(`found '${l}', expected: ',' or 'end of string'`);
        }
        case "eos":
          return requirements;
        default:
          throw new Error(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  requirement(): LabelRequirement {
    let [token, literal] = this.consume(true);
    let operator: LabelOperator | undefined;
    if (token === "!") {
      operator = "!";
      [token, literal] = this.consume(true);
    }
    if (token !== "identifier") throw new Error(`found '${literal}', expected: identifier`);
    const key = literal;
    const keyProblem = keyError(key, "<nil>");
    if (keyProblem) throw new Error(keyProblem);
    const [next] = this.lookahead(true);
    if ((next === "eos" || next === ",") && operator !== "!") operator = "exists";
    if (operator === "exists" || operator === "!")
      return this.validated({ key, operator, values: [] });

    const [opToken, opLiteral] = this.consume(false);
    const op = (
      {
        in: "in",
        "=": "=",
        "==": "==",
        ">": "gt",
        "<": "lt",
        notin: "notin",
        "!=": "!=",
      } as Record<string, LabelOperator>
    )[opToken];
    if (!op) throw new Error(`found '${opLiteral}', expected: in, notin, =, ==, !=, gt, lt`);
    const values = op === "in" || op === "notin" ? this.values() : this.exactValue();
    return this.validated({ key, operator: op, values: sortedUnique(values) });
  }

  validated(requirement: LabelRequirement): LabelRequirement {
    const error = requirementError(requirement);
    if (error) throw new Error(error);
    return requirement;
  }

  values(): string[] {
    const [token, literal] = this.consume(true);
    if (token !== "(") throw new Error(`found '${literal}' expected: '('`);
    const [next, nextLiteral] = this.lookahead(true);
    if (next === "identifier" || next === ",") {
      const list = this.identifiers();
      // selector.go reports the literal seen before the list here, not the one found.
      if (this.consume(true)[0] !== ")") throw new Error(`found '${nextLiteral}', expected: ')'`);
      return list;
    }
    if (next === ")") {
      this.consume(true);
      return [""];
    }
    throw new Error(`found '${nextLiteral}', expected: ',', ')' or identifier`);
  }

  identifiers(): string[] {
    const set = new Set<string>();
    for (;;) {
      const [token, literal] = this.consume(true);
      if (token === "identifier") {
        set.add(literal);
        const [t2, l2] = this.lookahead(true);
        if (t2 === ",") continue;
        if (t2 === ")") return [...set];
        throw new Error(`found '${l2}', expected: ',' or ')'`);
      }
      if (token === ",") {
        if (set.size === 0) set.add("");
        const [t2] = this.lookahead(true);
        if (t2 === ")") {
          set.add("");
          return [...set];
        }
        if (t2 === ",") {
          this.consume(true);
          set.add("");
        }
        continue;
      }
      throw new Error(`found '${literal}', expected: ',', or identifier`);
    }
  }

  exactValue(): string[] {
    const [next] = this.lookahead(true);
    if (next === "eos" || next === ",") return [""];
    const [token, literal] = this.consume(true);
    if (token === "identifier") return [literal];
    throw new Error(`found '${literal}', expected: identifier`);
  }
}

/**
 * Parses a label selector as the API server does (`labels.Parse`): the requirements sorted by key,
 * a matcher, and the canonical text. `""` selects everything. Throws {@link InvalidSelectorError}
 * with the server's message (`unable to parse requirement: ...`, `found 'x', expected: ...`).
 */
export function parseLabelSelector(selector: string): ParsedLabelSelector {
  try {
    return selectorOf(new Parser(selector).parse());
  } catch (error) {
    throw new InvalidSelectorError((error as Error).message, selector);
  }
}
