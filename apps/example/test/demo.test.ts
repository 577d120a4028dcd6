import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// The README's first command ends in `node dist/demo.js`: it must go through every mode and exit 0.
const demo = fileURLToPath(new URL("../dist/demo.js", import.meta.url));

it("the demo runs the app in each mode, shows each change live, and exits 0", async () => {
  const { code, output } = await new Promise<{ code: number | null; output: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [demo], { env: { ...process.env, NO_COLOR: "1" } });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      child.on("error", reject);
      child.on("exit", (exitCode) => resolve({ code: exitCode, output }));
    },
  );
  expect(code, output).toBe(0);
  for (const [mode, configMap] of [
    ["client", "settings"],
    ["direct", "feature-flags"],
    ["proxy", "greeting"],
  ]) {
    const section = output.slice(output.indexOf(`━━ mode ${mode}`));
    expect(section).toMatch(
      new RegExp(
        `\\[${mode}\\] identity {2}username=system:serviceaccount:kin-example:kin-example`,
      ),
    );
    expect(section).toMatch(
      new RegExp(`\\[${mode}\\] config map added {2}name=${configMap} keys=color`),
    );
    expect(section).toMatch(
      new RegExp(`\\[${mode}\\] config map modified {2}name=${configMap} keys=color,size`),
    );
    expect(section).toMatch(/GET \/readyz → 200 ok/);
    expect(section).toMatch(/the app exited with code 0 in \d+ ms/);
  }
  expect(output.includes("\u001b[")).toBe(false);
}, 30_000);
