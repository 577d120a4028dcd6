import { chmod, mkdir, mkdtemp, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fifo, isRoot, runAsNobody } from "../test/fixtures.js";
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

  it.each([
    "https",
    "0",
    "65536",
    "44.3",
    "-1",
    " 443",
    "443\n",
    "0443",
    "+443",
    "4 43",
    "1e3",
    "443 ",
  ])("rejects the port %j", async (port) => {
    const error = await failure(
      loadInCluster({ dir, env: { ...env, KUBERNETES_SERVICE_PORT: port } }),
    );
    expect(error.code).toBe("InvalidEnv");
    expect(error.message).toContain("KUBERNETES_SERVICE_PORT");
  });

  it.each([
    "user@evil.com",
    "evil.com/x",
    "a b",
    " 10.96.0.1",
    "10.96.0.1:443",
    "evil.com?x",
    "evil.com#x",
    "[::1",
    "[10.96.0.1]",
    "fe80::1%eth0",
    "1.2.3",
    "kubernetes.0x7f",
    "-bad.example",
    "bad_.example",
    "a..b",
    `${"a".repeat(64)}.example`,
    "kubernetes.443",
    "bad_name.",
    "0::1]",
    `${"a.".repeat(126)}bc`,
    `x${"y".repeat(150)}@evil.com`,
  ])("rejects the host %j, naming the variable", async (host) => {
    const error = await failure(
      loadInCluster({ dir, env: { ...env, KUBERNETES_SERVICE_HOST: host } }),
    );
    const shown = host.length > 100 ? `${host.slice(0, 100)}…` : host;
    expect(error).toMatchObject({
      code: "InvalidEnv",
      source: "KUBERNETES_SERVICE_HOST",
      message: `KUBERNETES_SERVICE_HOST is not a host name or IP address: ${JSON.stringify(shown)}`,
    });
  });

  it.each([
    ["kubernetes.default.svc", "https://kubernetes.default.svc:6443"],
    ["kubernetes.default.svc.", "https://kubernetes.default.svc.:6443"],
    ["API-server", "https://API-server:6443"],
    ["10.96.0.1", "https://10.96.0.1:6443"],
    ["::1", "https://[::1]:6443"],
    ["[fd00::1]", "https://[fd00::1]:6443"],
    ["1.2.3.4.example", "https://1.2.3.4.example:6443"],
    ["kube.1a", "https://kube.1a:6443"],
    ["worker.x1", "https://worker.x1:6443"],
    [`${"a.".repeat(125)}abc`, `https://${"a.".repeat(125)}abc:6443`],
  ])("accepts the host %j", async (host, server) => {
    const credentials = await loadInCluster({
      dir,
      env: { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: "6443" },
    });
    expect(credentials.server).toBe(server);
    expect(new URL(credentials.server).port).toBe("6443");
  });

  it("takes port 65535", async () => {
    const credentials = await loadInCluster({
      dir,
      env: { ...env, KUBERNETES_SERVICE_PORT: "65535" },
    });
    expect(credentials.server).toBe("https://10.96.0.1:65535");
  });

  it("says it is not in a cluster when the folder is a file (ENOTDIR), keeping the system error", async () => {
    const file = join(dir, "namespace");
    const error = await failure(loadInCluster({ dir: file, env }));
    expect(error).toMatchObject({
      code: "NotInCluster",
      message: `not running in a cluster: token file ${join(file, "token")} does not exist`,
    });
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ENOTDIR");
    await rm(join(dir, "token"));
    expect(((await failure(loadInCluster({ dir, env }))).cause as NodeJS.ErrnoException).code).toBe(
      "ENOENT",
    );
  });

  it.skipIf(!isRoot)(
    "names a token file it may not even look at (EACCES on the folder), rather than saying it is not in a cluster",
    async () => {
      await chmod(dir, 0o700);
      const tokenPath = join(dir, "token");
      const out = await runAsNobody(`
        import { loadInCluster } from "@kin/credentials";
        loadInCluster({ dir: ${JSON.stringify(dir)}, env: ${JSON.stringify(env)} }).then(
          () => console.log("{}"),
          (e) => console.log(JSON.stringify({ code: e.code, message: e.message, cause: e.cause?.code })),
        );`);
      expect(JSON.parse(out)).toEqual({
        code: "FileUnreadable",
        message: `cannot read token file ${tokenPath}: EACCES`,
        cause: "EACCES",
      });
    },
  );

  it("reports a failed token re-read to onRefreshError and keeps the token", async () => {
    const errors: string[] = [];
    const credentials = await loadInCluster({
      dir,
      env,
      onRefreshError: (error) => errors.push(error.message),
    });
    await writeFile(join(dir, "token"), " ");
    credentials.auth?.invalidate();
    expect(await credentials.auth?.authorization()).toBe(`Bearer ${TOKEN}`);
    expect(errors).toEqual([`token file ${join(dir, "token")} is empty`]);
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

  it("names an unreadable token file (EACCES; as root, in a child process that drops to nobody)", async () => {
    const tokenPath = join(dir, "token");
    await chmod(tokenPath, 0o000);
    let error: { code: string; source: string; message: string };
    if (isRoot) {
      await chmod(dir, 0o755);
      for (const file of ["ca.crt", "namespace"]) await chmod(join(dir, file), 0o644);
      const out = await runAsNobody(`
        import { loadInCluster } from "@kin/credentials";
        loadInCluster({ dir: ${JSON.stringify(dir)}, env: ${JSON.stringify(env)} }).then(
          () => console.log("{}"),
          (e) => console.log(JSON.stringify({ name: e.name, code: e.code, source: e.source, message: e.message })),
        );`);
      error = JSON.parse(out);
      expect(error).toMatchObject({ name: "CredentialsError" });
    } else {
      error = await failure(loadInCluster({ dir, env }));
    }
    expect(error).toMatchObject({
      code: "FileUnreadable",
      source: tokenPath,
      message: `cannot read token file ${tokenPath}: EACCES`,
    });
  });

  it.each(["token", "ca.crt", "namespace"])(
    "refuses a FIFO at %s at once, naming it, instead of waiting forever",
    async (name) => {
      const path = join(dir, name);
      await rm(path);
      fifo(path);
      const error = await failure(loadInCluster({ dir, env }));
      expect(error).toMatchObject({ code: "FileUnreadable", source: path });
      expect(error.message).toMatch(
        new RegExp(`^cannot read .* file ${path}: a FIFO, not a regular file$`),
      );
    },
    5_000,
  );

  it("refuses a token that links to /dev/zero or is huge, naming the file", async () => {
    const tokenPath = join(dir, "token");
    await rm(tokenPath);
    await symlink("/dev/zero", tokenPath);
    expect((await failure(loadInCluster({ dir, env }))).message).toBe(
      `cannot read token file ${tokenPath}: a character device, not a regular file`,
    );
    await rm(tokenPath);
    await writeFile(tokenPath, "");
    await truncate(tokenPath, 100_000_000);
    expect(await failure(loadInCluster({ dir, env }))).toMatchObject({
      code: "InvalidFile",
      source: tokenPath,
      message: `token file ${tokenPath} is larger than 64 KiB`,
    });
    await writeFile(tokenPath, "t".repeat(64 * 1024 + 1));
    expect((await failure(loadInCluster({ dir, env }))).code).toBe("InvalidFile");
    await writeFile(tokenPath, "t".repeat(64 * 1024));
    expect(await (await loadInCluster({ dir, env })).auth?.authorization()).toBe(
      `Bearer ${"t".repeat(64 * 1024)}`,
    );
  });

  it("refuses a token with a newline or another character a header cannot carry, naming the file", async () => {
    const tokenPath = join(dir, "token");
    for (const token of ["abc\ndef", "abc\rdef", "abc def", "abc\u0000", "abcé"]) {
      await writeFile(tokenPath, `${token}\n`);
      const error = await failure(loadInCluster({ dir, env }));
      expect(error).toMatchObject({ code: "InvalidFile", source: tokenPath });
      expect(error.message).toMatch(
        new RegExp(
          `^token file ${tokenPath} holds a character that cannot be sent in an Authorization header \\(at position 4;`,
        ),
      );
    }
  });

  it("refuses a namespace file that is there but cannot be read, instead of using default", async () => {
    const path = join(dir, "namespace");
    await rm(path);
    await mkdir(path);
    expect(await failure(loadInCluster({ dir, env }))).toMatchObject({
      code: "FileUnreadable",
      source: path,
      message: `cannot read namespace file ${path}: a directory, not a regular file`,
    });
    await rm(path, { recursive: true });
    await writeFile(path, "n".repeat(1025));
    expect((await failure(loadInCluster({ dir, env }))).code).toBe("InvalidFile");
  });

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
