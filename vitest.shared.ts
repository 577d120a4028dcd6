import { defineConfig } from "vitest/config";

/**
 * Shared vitest settings: run every @kin package from its `src/` through the
 * `@kin/source` export condition, so tests never need a build.
 */
export const sharedConfig = defineConfig({
  resolve: { conditions: ["@kin/source"] },
  ssr: { resolve: { conditions: ["@kin/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
