// StrykerJS settings shared by every package's `pnpm mutation` (issue 22). A package's
// stryker.config.mjs is `export default strykerConfig()`, with overrides when it needs some.
// Stryker 9.6 (the 10.x line needs Node 22) with its vitest runner, both at the workspace root.
import { fileURLToPath } from "node:url";

// Property-based tests run few cases per mutant: a mutant is found by the examples, not the fuzzing.
process.env.FUZZ_RUNS ??= "20";

/**
 * @param {import("@stryker-mutator/api/core").PartialStrykerOptions} overrides
 * @returns {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
export function strykerConfig(overrides = {}) {
  return {
    testRunner: "vitest",
    // pnpm keeps the runner out of the core's reach: load it by its path.
    plugins: [fileURLToPath(import.meta.resolve("@stryker-mutator/vitest-runner"))],
    // Each package's vitest.config.ts imports ../../vitest.shared.ts, which a sandbox copy of the
    // package lacks: mutate the files where they are (Stryker puts them back when it ends).
    inPlace: true,
    // Run only the tests that cover a mutant.
    coverageAnalysis: "perTest",
    mutate: ["src/**/*.ts", "!src/**/*.test.ts", "!src/**/*.test-d.ts"],
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: "reports/mutation/index.html" },
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    // A later run tests again only the mutants whose code or tests changed (commit the file to use
    // this in CI; \`stryker run --force\` ignores it).
    incremental: true,
    incrementalFile: "reports/stryker-incremental.json",
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
    // The machines have 2 cores.
    concurrency: 2,
    thresholds: { high: 90, low: 80, break: null },
    ...overrides,
  };
}
