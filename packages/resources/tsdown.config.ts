import { defineConfig } from "tsdown";
import { sharedBuild } from "../../tsdown.shared.ts";

export default defineConfig({
  ...sharedBuild,
  entry: { index: "src/index.ts", "patch-metadata": "src/patchMetadata/index.ts" },
});
