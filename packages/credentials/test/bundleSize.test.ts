import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { expect, it } from "vitest";

// The minimal-app budget: an app that imports only loadInCluster, bundled as the README shows.
it("bundles a loadInCluster-only app to at most 3 KB gzipped, without the kubeconfig entry", async () => {
  const result = await build({
    stdin: {
      contents:
        'import { loadInCluster } from "@kin/credentials";\nconst c = await loadInCluster();\nconsole.log(c.server, c.namespace);\n',
      resolveDir: fileURLToPath(new URL("..", import.meta.url)),
      loader: "js",
    },
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    conditions: ["@kin/source"],
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.text ?? "";
  const gzipped = gzipSync(code, { level: 9 }).length;
  expect(code).toContain("KUBERNETES_SERVICE_HOST");
  expect(code).not.toMatch(/yaml|ExecCredential/i);
  expect(gzipped).toBeLessThanOrEqual(3 * 1024);
});
