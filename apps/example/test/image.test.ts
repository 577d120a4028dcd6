// apps/example/Dockerfile without Docker: its deploy step run for real (`pnpm deploy --prod --legacy`) into
// a temporary folder, the runtime stage's layout made from it (package.json, node_modules, dist — what the
// Dockerfile copies), and the app started from there. Also checks that the Dockerfile, .dockerignore and
// the manifests in deploy/ agree (user, port, entrypoint, pnpm version). Needs the app built first (turbo
// runs build before this package's tests).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, lstat, mkdtemp, readdir, readFile, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const app = fileURLToPath(new URL("../", import.meta.url));
const dockerfilePath = join(app, "Dockerfile");

// The Dockerfile's deploy step, as it is written there (checked below), with the folder as the last word.
const DEPLOY_STEP = "pnpm --filter @kin/example deploy --prod --legacy --offline";
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile build argument, not a template
const BASE = "${NODE_IMAGE}";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd: string): Promise<Result> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      { cwd, env: { ...process.env, NODE_ENV: "production" }, timeout: 60_000 },
      (error, stdout, stderr) =>
        done({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

/** Every symbolic link under `dir` (relative paths) with where it resolves to. */
async function links(dir: string, under = dir): Promise<{ path: string; target: string }[]> {
  const found: { path: string; target: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink())
      found.push({
        path: relative(under, path),
        target: resolve(dirname(path), await readlink(path)),
      });
    else if (entry.isDirectory()) found.push(...(await links(path, under)));
  }
  return found;
}

let work: string;
let deployed: string;
let image: string;
let deployResult: Result;

beforeAll(async () => {
  if (!existsSync(join(app, "dist", "main.js")))
    throw new Error(
      `${join(app, "dist", "main.js")} is missing: build the app first (turbo runs build before test)`,
    );
  work = await mkdtemp(join(tmpdir(), "kin-example-image-"));
  deployed = join(work, "out");
  image = join(work, "app");
  const [pnpm, ...args] = DEPLOY_STEP.split(" ");
  expect(pnpm).toBe("pnpm");
  // As the Dockerfile's build stage has it: the workspace with its built dist/ folders, without
  // node_modules. Also, pnpm deploy --prod records "production only" in the workspace's
  // node_modules/.pnpm-workspace-state-v1.json, and the next `pnpm run` there (turbo runs every task
  // through one) would then prune the devDependencies: so never deploy from the repository itself.
  const context = join(work, "context");
  await cp(root, context, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => !/[/\\](node_modules|\.git|\.turbo)$/.test(source),
  });
  // pnpm as CI and the Dockerfile get it: the version of package.json's packageManager.
  deployResult = await run("npx", ["--yes", "pnpm@12.4.2", ...args, deployed], context);
  if (deployResult.code === 0) {
    // The runtime stage: COPY --from=build /out/{package.json,node_modules,dist} /app/
    for (const entry of ["package.json", "node_modules", "dist"])
      await cp(join(deployed, entry), join(image, entry), {
        recursive: true,
        verbatimSymlinks: true,
      });
  }
}, 60_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("apps/example/Dockerfile's deploy step, run for real", () => {
  it("deploys the app with production dependencies only", async () => {
    expect(deployResult.stderr + deployResult.stdout).not.toMatch(/ERR_PNPM/);
    expect(deployResult.code).toBe(0);
    const modules = join(image, "node_modules");
    expect((await readdir(join(modules, "@kin"))).sort()).toEqual([
      "client",
      "credentials",
      "resources",
    ]);
    expect(existsSync(join(modules, "pino"))).toBe(true);
    // Nothing of the devDependencies, anywhere in the virtual store either.
    const store = (await readdir(join(modules, ".pnpm"))).join("\n");
    for (const dev of [
      "@kin+mock-server",
      "vitest",
      "msw",
      "typescript",
      "tsdown",
      "turbo",
      "@biomejs",
      "esbuild",
    ])
      expect(store, dev).not.toContain(dev);
    expect(existsSync(join(modules, "@kin", "mock-server"))).toBe(false);
  });

  it("is self-contained: no link leads out of the image's /app", async () => {
    const outside = (await links(image)).filter(
      (l) => l.target !== image && !l.target.startsWith(`${image}/`),
    );
    expect(outside).toEqual([]);
    // The workspace packages are copies (with their dist), not links into the repository.
    const client = await lstat(join(image, "node_modules", "@kin", "client", "dist", "index.js"));
    expect(client.isFile()).toBe(true);
  });

  it("node dist/main.js --help runs from the runtime layout (no @kin/mock-server, no sources)", async () => {
    const r = await run(process.execPath, ["dist/main.js", "--help"], image);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: kin-example/);
    expect(r.stdout).toContain("KIN_MODE");
  });
});

describe("the Dockerfile, .dockerignore and deploy/ agree", () => {
  it("the Dockerfile: two stages, pinned pnpm, the deploy step above, numeric non-root user, entrypoint", async () => {
    const dockerfile = await readFile(dockerfilePath, "utf8");
    const instructions = dockerfile
      .split("\n")
      .filter((line) => line.trim() && !line.trim().startsWith("#"));
    const froms = instructions.filter((l) => l.startsWith("FROM "));
    expect(froms).toEqual([`FROM ${BASE} AS build`, `FROM ${BASE} AS runtime`]);
    expect(dockerfile).toContain("ARG NODE_IMAGE=node:20-bookworm-slim");
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    expect(dockerfile).toContain(`npm install --global ${pkg.packageManager}`);
    expect(dockerfile).toContain("pnpm install --frozen-lockfile");
    expect(dockerfile).toContain(`RUN ${DEPLOY_STEP} /out`);
    const runtime = instructions.slice(instructions.indexOf(`FROM ${BASE} AS runtime`));
    expect(runtime).toContain("ENV NODE_ENV=production");
    expect(runtime).toContain("USER 1000:1000");
    expect(runtime).toContain("EXPOSE 8080");
    expect(runtime.at(-1)).toBe('ENTRYPOINT ["node", "dist/main.js"]');
    expect(runtime.filter((l) => l.startsWith("COPY "))).toEqual([
      "COPY --from=build /out/package.json ./package.json",
      "COPY --from=build /out/node_modules ./node_modules",
      "COPY --from=build /out/dist ./dist",
    ]);
  });

  it("the manifests run the image's user and probe its port", async () => {
    for (const file of ["deployment.yaml", "deployment-proxy.yaml"]) {
      const yaml = await readFile(join(app, "deploy", file), "utf8");
      expect(yaml, file).toMatch(/^ {8}runAsUser: 1000$/m);
      expect(yaml, file).toMatch(/^ {8}runAsGroup: 1000$/m);
      expect(yaml, file).toMatch(/^ {8}fsGroup: 1000$/m);
      expect(yaml, file).toMatch(/containerPort: 8080$/m);
      expect(yaml, file).toMatch(/image: kin-example:0\.1\.0$/m);
    }
  });

  it(".dockerignore (at the build context, the repository root) keeps outputs and caches out", async () => {
    const ignored = (await readFile(join(root, ".dockerignore"), "utf8"))
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(ignored).toEqual(
      expect.arrayContaining(["**/node_modules", "**/dist", "**/.turbo", ".git"]),
    );
  });
});
