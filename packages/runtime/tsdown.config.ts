import { defineConfig } from "tsdown";
import { sharedBuild } from "../../tsdown.shared.ts";

export default defineConfig({ ...sharedBuild, entry: ["src/index.ts"] });
