import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CredentialsError } from "../errors.js";
import { kubeconfigFiles, loadKubeconfig } from "./load.js";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEsecretkeymaterial\n-----END PRIVATE KEY-----\n";
const b64 = (text: string) => Buffer.from(text).toString("base64");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kin-kubeconfig-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, text);
  return path;
}

async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

const basic = `
apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: dev
  context: { cluster: dev-cluster, user: dev-user, namespace: team-a }
clusters:
- name: dev-cluster
  cluster:
    server: https://dev.example:6443/
    certificate-authority-data: ${b64(CA)}
users:
- name: dev-user
  user:
    token: secret-token-abc
`;

describe("loadKubeconfig", () => {
  it("loads the current context's cluster, user and namespace", async () => {
    const file = await write("config", basic);
    const credentials = await loadKubeconfig({ files: [file] });
    expect(credentials).toMatchObject({
      server: "https://dev.example:6443",
      ca: CA,
      namespace: "team-a",
      origin: { kind: "kubeconfig", files: [file], context: "dev" },
    });
    expect(credentials.reloadCa).toBeUndefined();
    expect(await credentials.auth?.authorization()).toBe("Bearer secret-token-abc");
  });

  it("uses a named context and a namespace override, defaulting to 'default'", async () => {
    const file = await write(
      "config",
      basic.replace(
        "contexts:\n",
        "contexts:\n- name: other\n  context: { cluster: dev-cluster }\n",
      ),
    );
    const other = await loadKubeconfig({ files: [file], context: "other" });
    expect(other.origin).toMatchObject({ context: "other" });
    expect(other.namespace).toBe("default");
    expect(other.auth).toBeUndefined();
    expect((await loadKubeconfig({ files: [file], namespace: "ops" })).namespace).toBe("ops");
  });

  it("merges KUBECONFIG files by kubectl's rules: first file wins per name, first current-context wins", async () => {
    const first = await write(
      "a.yaml",
      `
current-context: ctx-a
clusters:
- name: shared
  cluster: { server: "https://first.example" }
contexts:
- name: ctx-b
  context: { cluster: shared }
`,
    );
    const second = await write(
      "b.yaml",
      `
current-context: ctx-b
clusters:
- name: shared
  cluster: { server: "https://second.example" }
- name: only-b
  cluster: { server: "https://b.example" }
contexts:
- name: ctx-a
  context: { cluster: only-b }
- name: ctx-b
  context: { cluster: only-b }
`,
    );
    const missing = join(dir, "missing.yaml");
    const env = { KUBECONFIG: [first, missing, second].join(delimiter) };
    expect(kubeconfigFiles(env)).toEqual([first, missing, second]);
    const credentials = await loadKubeconfig({ env });
    expect(credentials.origin).toEqual({
      kind: "kubeconfig",
      files: [first, second],
      context: "ctx-a",
    });
    expect(credentials.server).toBe("https://b.example");
    expect((await loadKubeconfig({ env, context: "ctx-b" })).server).toBe("https://first.example");
  });

  it("reads ~/.kube/config when KUBECONFIG is unset", async () => {
    await write(".kube/config", basic);
    expect(kubeconfigFiles({ HOME: dir })).toEqual([join(dir, ".kube", "config")]);
    expect((await loadKubeconfig({ env: { HOME: dir } })).server).toBe("https://dev.example:6443");
  });

  it("resolves relative file paths against the kubeconfig's folder", async () => {
    await write("certs/ca.crt", CA);
    await write("certs/client.crt", CERT);
    await write("certs/client.key", KEY);
    await write("certs/token", "file-token\n");
    const file = await write(
      "nested/config",
      `
current-context: c
contexts: [{ name: c, context: { cluster: k, user: u } }]
clusters: [{ name: k, cluster: { server: "https://k.example", certificate-authority: ../certs/ca.crt, tls-server-name: api.internal } }]
users: [{ name: u, user: { client-certificate: ../certs/client.crt, client-key: ../certs/client.key, tokenFile: ../certs/token } }]
`,
    );
    const credentials = await loadKubeconfig({ files: [file] });
    expect(credentials.ca).toBe(CA);
    expect(credentials.clientCert).toBe(CERT);
    expect(credentials.clientKey?.reveal()).toBe(KEY);
    expect(credentials.tlsServerName).toBe("api.internal");
    expect(await credentials.auth?.authorization()).toBe("Bearer file-token");
    await write("certs/ca.crt", CA.replace("ca", "ca2"));
    expect(await credentials.reloadCa?.()).toBe(CA.replace("ca", "ca2"));
  });

  it("takes client certificate, key and CA from -data fields, insecure and proxy-url from the cluster", async () => {
    const file = await write(
      "config",
      `
current-context: c
contexts: [{ name: c, context: { cluster: k, user: u } }]
clusters: [{ name: k, cluster: { server: "https://k.example", insecure-skip-tls-verify: true, proxy-url: "http://proxy:3128" } }]
users: [{ name: u, user: { client-certificate-data: ${b64(CERT)}, client-key-data: ${b64(KEY)}, username: admin, password: hunter2 } }]
`,
    );
    const credentials = await loadKubeconfig({ files: [file] });
    expect(credentials).toMatchObject({
      insecureSkipTlsVerify: true,
      proxyUrl: "http://proxy:3128",
      clientCert: CERT,
    });
    expect(credentials.ca).toBeUndefined();
    expect(await credentials.auth?.authorization()).toBe(`Basic ${b64("admin:hunter2")}`);
  });

  it("never shows token, client key or password in JSON, inspect or errors", async () => {
    const file = await write(
      "config",
      `
current-context: c
contexts: [{ name: c, context: { cluster: k, user: u } }]
clusters: [{ name: k, cluster: { server: "https://k.example" } }]
users:
- name: u
  user: { client-certificate-data: ${b64(CERT)}, client-key-data: ${b64(KEY)}, username: admin, password: hunter2 }
- name: t
  user: { token: secret-token-abc }
`,
    );
    for (const credentials of [await loadKubeconfig({ files: [file] })]) {
      const shown = `${JSON.stringify(credentials)} ${inspect(credentials, { depth: 10, showHidden: true })}`;
      for (const secret of ["hunter2", "secretkeymaterial", b64("admin:hunter2"), b64(KEY)])
        expect(shown).not.toContain(secret);
      expect(shown).toContain("<redacted>");
    }
    const tokenFile = await write("t.yaml", basic);
    const withToken = await loadKubeconfig({ files: [tokenFile] });
    expect(
      `${JSON.stringify(withToken)} ${inspect(withToken, { depth: 10, showHidden: true })}`,
    ).not.toContain("secret-token-abc");
  });
});

describe("loadKubeconfig errors name the file and field", () => {
  const cases: [string, string, RegExp][] = [
    ["malformed YAML", "clusters: [unclosed", /^kubeconfig .*config is not valid YAML: /],
    ["a non-mapping document", "- just\n- a list\n", /\(root\): must be a mapping/],
    ["no current-context", "clusters: []", /no current-context is set and no context was given/],
    [
      "an unknown context",
      "current-context: nope\ncontexts: [{ name: real, context: { cluster: k } }]",
      /context "nope" not found \(contexts: real\)/,
    ],
    [
      "an unknown cluster",
      "current-context: c\ncontexts: [{ name: c, context: { cluster: gone } }]",
      /cluster "gone" \(of context "c"\) not found/,
    ],
    [
      "an unknown user",
      "current-context: c\ncontexts: [{ name: c, context: { cluster: k, user: ghost } }]\nclusters: [{ name: k, cluster: { server: 'https://k' } }]",
      /user "ghost" \(of context "c"\) not found/,
    ],
    [
      "a cluster without server",
      "current-context: c\ncontexts: [{ name: c, context: { cluster: k } }]\nclusters: [{ name: k, cluster: {} }]",
      /clusters\[k\]\.cluster\.server: is required/,
    ],
    [
      "a server that is not a URL",
      "current-context: c\ncontexts: [{ name: c, context: { cluster: k } }]\nclusters: [{ name: k, cluster: { server: 'k8s:6443' } }]",
      /cluster\.server: is not an http\(s\) URL: "k8s:6443"/,
    ],
    [
      "a missing CA file",
      "current-context: c\ncontexts: [{ name: c, context: { cluster: k } }]\nclusters: [{ name: k, cluster: { server: 'https://k', certificate-authority: nope.crt } }]",
      /cannot read CA file .*nope\.crt: ENOENT/,
    ],
    [
      "a CA that is not PEM",
      `current-context: c\ncontexts: [{ name: c, context: { cluster: k } }]\nclusters: [{ name: k, cluster: { server: 'https://k', certificate-authority-data: ${b64("junk")} } }]`,
      /cluster\.certificate-authority: holds no PEM certificate/,
    ],
    [
      "bad base64",
      "current-context: c\ncontexts: [{ name: c, context: { cluster: k } }]\nclusters: [{ name: k, cluster: { server: 'https://k', certificate-authority-data: '***' } }]",
      /clusters\[k\]\.cluster\.certificate-authority-data: is not valid base64/,
    ],
    [
      "CA with insecure",
      `current-context: c\ncontexts: [{ name: c, context: { cluster: k } }]\nclusters: [{ name: k, cluster: { server: 'https://k', insecure-skip-tls-verify: true, certificate-authority-data: ${b64(CA)} } }]`,
      /a certificate authority and insecure-skip-tls-verify cannot both be set/,
    ],
    [
      "a certificate without key",
      `current-context: c\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\nclusters: [{ name: k, cluster: { server: 'https://k' } }]\nusers: [{ name: u, user: { client-certificate-data: ${b64(CERT)} } }]`,
      /client-certificate and client-key must be given together/,
    ],
    [
      "two auth methods",
      "current-context: c\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\nclusters: [{ name: k, cluster: { server: 'https://k' } }]\nusers: [{ name: u, user: { token: t, username: a, password: b } }]",
      /more than one authentication method found \(token, basic auth\)/,
    ],
    [
      "an auth-provider",
      "current-context: c\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\nclusters: [{ name: k, cluster: { server: 'https://k' } }]\nusers: [{ name: u, user: { auth-provider: { name: gcp } } }]",
      /auth-provider plugins were removed/,
    ],
    [
      "a list entry without name",
      "clusters: [{ cluster: { server: 'https://k' } }]",
      /clusters\[0\]\.name: is required/,
    ],
  ];
  it.each(cases)("%s", async (_what, text, message) => {
    const file = await write("config", text);
    const error = await failure(loadKubeconfig({ files: [file] }));
    expect(error.message).toMatch(message);
    expect(error.message).toContain(dir);
  });

  it("says which files it looked for when none exists", async () => {
    const error = await failure(loadKubeconfig({ files: [join(dir, "a"), join(dir, "b")] }));
    expect(error.message).toBe(
      `no kubeconfig file exists (looked for ${join(dir, "a")}, ${join(dir, "b")})`,
    );
  });
});
