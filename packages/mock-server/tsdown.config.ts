import { defineConfig } from "tsdown";
import { sharedBuild } from "../../tsdown.shared.ts";

export default defineConfig({
  ...sharedBuild,
  // Named entries: dist/ keeps one file per public entry (index, msw, kubectl, cli) whatever folder
  // the source lives in, so package.json's exports and bin are unchanged.
  entry: {
    index: "src/index.ts",
    msw: "src/adapters/msw.ts",
    kubectl: "src/harness/kubectl.ts",
    cli: "src/adapters/cli.ts",
  },
});
