import { defineConfig } from "tsdown";
import { sharedBuild } from "../../tsdown.shared.ts";

export default defineConfig({
  ...sharedBuild,
  entry: { index: "src/index.ts", kubeconfig: "src/kubeconfig/index.ts" },
});
