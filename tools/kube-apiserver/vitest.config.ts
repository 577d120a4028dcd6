import { mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.ts";

export default mergeConfig(sharedConfig, {
  test: {
    // Builds the real server once per machine (a cold build takes many minutes; vitest puts no timeout
    // on a global setup) or says why its tests are skipped.
    globalSetup: ["./test/globalSetup.ts"],
    // Each file starts its own servers (a few seconds each); on 2 cores, one file at a time.
    fileParallelism: false,
  },
});
