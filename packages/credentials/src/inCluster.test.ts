import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CredentialsError } from "./errors.js";
import { loadInCluster } from "./inCluster.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.secret-token-value.sig";
const env = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kin-sa-"));
  await writeFile(join(dir, "token"), `${TOKEN}\n`);
  await writeFile(join(dir, "ca.crt"), PEM);
  await writeFile(join(dir, "namespace"), "team-a\n");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

describe("loadInCluster", () => {
  it("finds the server, CA, namespace and token of the pod", async () => {
    const credentials = await loadInCluster({ dir, env });
    expect(credentials.server).toBe("https://10.96.0.1:443");
    expect(credentials.ca).toBe(PEM);
    expect(credentials.namespace).toBe("team-a");
    expect(credentials.origin).toEqual({ kind: "in-cluster", dir });
    expect(await credentials.auth?.authorization()).toBe(`Bearer ${TOKEN}`);
  });

  it("brackets an IPv6 service host", async () => {
    const credentials = await loadInCluster({
      dir,
      env: { ...env, KUBERNETES_SERVICE_HOST: "fd00:10:96::1" },
    });
    expect(credentials.server).toBe("https://[fd00:10:96::1]:443");
  });

  it.each(["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"])(
    "says it is not in a cluster when %s is missing or empty",
    async (name) => {
      for (const value of [undefined, "", "  "]) {
        const error = await failure(loadInCluster({ dir, env: { ...env, [name]: value } }));
        expect(error.code).toBe("NotInCluster");
        expect(error.source).toBe(name);
        expect(error.message).toContain(name);
      }
    },
  );

  it.each(["https", "0", "65536", "44.3", "-1"])("rejects the port %j", async (port) => {
    const error = await failure(
      loadInCluster({ dir, env: { ...env, KUBERNETES_SERVICE_PORT: port } }),
    );
    expect(error.code).toBe("InvalidEnv");
    expect(error.message).toContain("KUBERNETES_SERVICE_PORT");
  });

  it("says it is not in a cluster when the token file is missing or a directory (client-go's test)", async () => {
    const tokenPath = join(dir, "token");
    await rm(tokenPath);
    let error = await failure(loadInCluster({ dir, env }));
    expect(error).toMatchObject({
      code: "NotInCluster",
      source: tokenPath,
      message: `not running in a cluster: token file ${tokenPath} does not exist`,
    });
    await mkdir(tokenPath);
    error = await failure(loadInCluster({ dir, env }));
    expect(error).toMatchObject({
      code: "NotInCluster",
      message: `not running in a cluster: token file ${tokenPath} is a directory`,
    });
  });

  it("names a missing ca.crt", async () => {
    await rm(join(dir, "ca.crt"));
    const error = await failure(loadInCluster({ dir, env }));
    expect(error).toMatchObject({
      code: "FileUnreadable",
      source: join(dir, "ca.crt"),
      message: `cannot read CA file ${join(dir, "ca.crt")}: ENOENT`,
    });
  });

  it.skipIf(process.getuid?.() === 0)(
    "names an unreadable token file (skipped as root, who reads every file)",
    async () => {
      await chmod(join(dir, "token"), 0o000);
      const error = await failure(loadInCluster({ dir, env }));
      expect(error).toMatchObject({
        code: "FileUnreadable",
        message: `cannot read token file ${join(dir, "token")}: EACCES`,
      });
    },
  );

  it("re-reads ca.crt through reloadCa", async () => {
    const credentials = await loadInCluster({ dir, env });
    const rotated = PEM.replace("fake", "rotated");
    await writeFile(join(dir, "ca.crt"), rotated);
    expect(await credentials.reloadCa?.()).toBe(rotated);
  });

  it("rejects an empty or whitespace-only token", async () => {
    await writeFile(join(dir, "token"), " \n\t");
    const error = await failure(loadInCluster({ dir, env }));
    expect(error.code).toBe("InvalidFile");
    expect(error.message).toBe(`token file ${join(dir, "token")} is empty`);
  });

  it("rejects a ca.crt without a PEM certificate", async () => {
    await writeFile(join(dir, "ca.crt"), "not a certificate");
    const error = await failure(loadInCluster({ dir, env }));
    expect(error.code).toBe("InvalidFile");
    expect(error.message).toBe(`CA file ${join(dir, "ca.crt")} holds no PEM certificate`);
  });

  it("takes the namespace from POD_NAMESPACE, then the file, then default (client-go's order)", async () => {
    expect(
      (await loadInCluster({ dir, env: { ...env, POD_NAMESPACE: "from-env" } })).namespace,
    ).toBe("from-env");
    await writeFile(join(dir, "namespace"), "  \n");
    expect((await loadInCluster({ dir, env })).namespace).toBe("default");
    await rm(join(dir, "namespace"));
    expect((await loadInCluster({ dir, env })).namespace).toBe("default");
  });

  it("never shows the token in JSON, inspect or errors", async () => {
    const credentials = await loadInCluster({ dir, env });
    expect(JSON.stringify(credentials)).not.toContain("secret-token-value");
    expect(JSON.stringify(credentials)).toContain(join(dir, "token"));
    expect(inspect(credentials, { depth: 10, showHidden: true })).not.toContain(
      "secret-token-value",
    );
    await rm(join(dir, "ca.crt"));
    const error = await failure(loadInCluster({ dir, env }));
    expect(`${error.message} ${inspect(error)}`).not.toContain("secret-token-value");
  });
});
