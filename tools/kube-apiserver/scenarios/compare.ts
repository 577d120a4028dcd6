import { isDeepStrictEqual } from "node:util";
import type { Step } from "./scenario.js";

/** One step of one scenario on both servers. */
export interface Row {
  readonly scenario: string;
  readonly step: string;
  /** JSON of the observation; undefined when that server did not reach the step. */
  readonly mock: string | undefined;
  readonly real: string | undefined;
  readonly same: boolean;
}

const text = (value: unknown) => (value === undefined ? undefined : JSON.stringify(value));
// JSON drops `undefined` members, so a field one server omits and the other leaves undefined is equal.
const plain = (value: unknown) =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));

/** The rows of one scenario, in the order the steps were first seen (the real server's first). */
export function compare(scenario: string, mock: readonly Step[], real: readonly Step[]): Row[] {
  const names = [...new Set([...real.map((s) => s.step), ...mock.map((s) => s.step)])];
  return names.map((step) => {
    const m = mock.find((s) => s.step === step)?.value;
    const r = real.find((s) => s.step === step)?.value;
    return {
      scenario,
      step,
      mock: text(m),
      real: text(r),
      same: isDeepStrictEqual(plain(m), plain(r)),
    };
  });
}

const cell = (value: string | undefined, width: number) => {
  const shown = value ?? "(not reached)";
  return (shown.length > width ? `${shown.slice(0, width - 1)}…` : shown).replaceAll("|", "\\|");
};

/** A Markdown table: every step, `=` where both servers agree, both observations where they differ. */
export function table(
  rows: readonly Row[],
  known: (row: Row) => string | undefined,
  width = 400,
): string {
  const lines = ["| scenario | step | result | mock | real |", "| --- | --- | --- | --- | --- |"];
  for (const row of rows) {
    const result = row.same ? "same" : known(row) ? "known difference" : "DIFFERENT";
    lines.push(
      `| ${cell(row.scenario, 60)} | ${cell(row.step, 60)} | ${result} | ${
        row.same ? "=" : cell(row.mock, width)
      } | ${row.same ? "=" : cell(row.real, width)} |`,
    );
  }
  const same = rows.filter((r) => r.same).length;
  const knownCount = rows.filter((r) => !r.same && known(r)).length;
  lines.push(
    "",
    `${rows.length} steps: ${same} same, ${knownCount} known differences, ${rows.length - same - knownCount} unexplained differences`,
  );
  return lines.join("\n");
}
