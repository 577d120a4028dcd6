import type { UserConfig } from "tsdown";

/** One build for every package: ESM for Node 20, declarations, no bundled dependencies. */
export const sharedBuild: UserConfig = {
  format: "esm",
  platform: "node",
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
};
