// The scenario corpus against the mock server's HTTPS listener and a real kube-apiserver: the same
// requests, and what a client observes compared step by step. The table is printed at the end.
import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { compare, type Row, table } from "../scenarios/compare.js";
import { corpus } from "../scenarios/corpus/index.js";
import { differenceKey, knownDifferences } from "../scenarios/knownDifferences.js";
import { runScenario, scenarioNamespace } from "../scenarios/scenario.js";
import { mockTarget, realTarget, type Target } from "../scenarios/target.js";
import { type KubeApiServer, startKubeApiServer } from "../src/kubeApiServer.js";

const { binaries, skip } = inject("kubeApiServer");

describe.skipIf(skip !== undefined)(
  "scenarios: the mock server against a real kube-apiserver",
  () => {
    let server: KubeApiServer;
    let mock: Target;
    let real: Target;
    const rows: Row[] = [];
    const known = (row: Row) => knownDifferences[differenceKey(row.scenario, row.step)];

    beforeAll(async () => {
      // The API server alone, as the mock server is one: without the controller manager's root-CA
      // publisher and service-account controller, every namespace is the same on both.
      [server, mock] = await Promise.all([
        startKubeApiServer({ binaries, controllerManager: false }),
        mockTarget(),
      ]);
      real = realTarget(server);
    }, 180_000);

    afterAll(async () => {
      await Promise.all([server?.stop(), mock?.close()]);
      if (rows.length === 0) return;
      console.log(`\n${table(rows, known)}\n`);
      // The whole table (cells not shortened) for a report: KIN_SCENARIO_REPORT=<file>.
      const report = process.env.KIN_SCENARIO_REPORT;
      if (report) await writeFile(report, `${table(rows, known, Number.POSITIVE_INFINITY)}\n`);
    });

    corpus.forEach((scenario, index) => {
      it(scenario.name, async () => {
        const namespace = scenarioNamespace(index);
        const [onMock, onReal] = await Promise.all([
          runScenario(scenario, mock, namespace),
          runScenario(scenario, real, namespace),
        ]);
        const result = compare(scenario.name, onMock, onReal);
        rows.push(...result);
        const unexplained = result.filter((row) => !row.same && !known(row));
        const stale = result.filter((row) => row.same && known(row));
        expect(
          unexplained.map((row) => ({ step: row.step, mock: row.mock, real: row.real })),
          "differences that are not in scenarios/knownDifferences.ts",
        ).toEqual([]);
        expect(
          stale.map((row) => row.step),
          "known differences that no longer differ (remove them from scenarios/knownDifferences.ts)",
        ).toEqual([]);
      }, 120_000);
    });
  },
);
