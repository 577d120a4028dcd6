import { defineConfig } from "tsdown";
import { sharedBuild } from "../../tsdown.shared.ts";

export default defineConfig({
  ...sharedBuild,
  dts: false,
  entry: { main: "src/main.ts", demo: "scripts/demo.ts" },
  deps: { neverBundle: [/^@kin\//] },
});
