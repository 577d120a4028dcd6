import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  truncate,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fifo } from "../../test/fixtures.js";
import { CredentialsError } from "../errors.js";
import { kubeconfigExists, kubeconfigFiles, loadKubeconfig } from "./load.js";

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
      /users\[u\]\.user\.auth-provider: auth-provider plugins were removed from Kubernetes clients; use an exec plugin$/,
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

  it("says exactly which context, cluster or user is missing, with the files read", async () => {
    const server = "clusters: [{ name: k, cluster: { server: 'https://k' } }]\n";
    const cases: [string, string, string][] = [
      ["", "current-context", "no current-context is set and no context was given"],
      [
        "current-context: nope\ncontexts: []\n",
        "contexts[nope]",
        'context "nope" not found (contexts: none)',
      ],
      [
        `current-context: c\ncontexts: [{ name: c, context: { user: u } }]\n${server}`,
        "contexts[c].cluster",
        'context "c" names no cluster',
      ],
      [
        "current-context: c\ncontexts: [{ name: c, context: { cluster: gone } }]\n",
        "clusters[gone]",
        'cluster "gone" (of context "c") not found',
      ],
      [
        `current-context: c\ncontexts: [{ name: c, context: { cluster: k, user: ghost } }]\n${server}`,
        "users[ghost]",
        'user "ghost" (of context "c") not found',
      ],
    ];
    for (const [text, source, problem] of cases) {
      const file = await write("config", text);
      const other = await write("other", "{}");
      expect(await failure(loadKubeconfig({ files: [file, other] }))).toMatchObject({
        code: "InvalidConfig",
        source,
        message: `kubeconfig ${file}, ${other}: ${problem}`,
      });
    }
  });

  it("says which files it looked for when none exists", async () => {
    const error = await failure(loadKubeconfig({ files: [join(dir, "a"), join(dir, "b")] }));
    expect(error).toMatchObject({
      code: "FileUnreadable",
      source: `${join(dir, "a")}, ${join(dir, "b")}`,
      message: `no kubeconfig file exists (looked for ${join(dir, "a")}, ${join(dir, "b")})`,
    });
  });

  it("takes an empty file, a null document and null sections as empty, and merges on", async () => {
    const empty = await write("empty", "");
    const nothing = await write("null", "null\n");
    const nulls = await write("nulls", "current-context: ~\nclusters: ~\nusers: ~\ncontexts: ~\n");
    const real = await write("real", withCluster("{ server: 'https://k' }"));
    const credentials = await loadKubeconfig({ files: [empty, nothing, nulls, real] });
    expect(credentials.server).toBe("https://k");
    expect(credentials.origin).toMatchObject({
      files: [empty, nothing, nulls, real],
      context: "c",
    });
  });

  it("refuses list entries that are not mappings or have no name, by index", async () => {
    for (const [text, message] of [
      ["clusters: [5]", "clusters[0]: must be a mapping"],
      ["users: [{ name: '' }]", "users[0].name: is required"],
      ["contexts: [{ name: 5 }]", "contexts[0].name: is required"],
    ] as const) {
      const file = await write("config", text);
      expect((await failure(loadKubeconfig({ files: [file] }))).message).toBe(
        `kubeconfig ${file}: ${message}`,
      );
    }
  });

  it("says an alias that goes nowhere is not valid YAML, without naming it", async () => {
    const file = await write("config", "a: *nowhere-secret\n");
    const error = await failure(loadKubeconfig({ files: [file] }));
    expect(error).toMatchObject({
      code: "InvalidConfig",
      source: file,
      message: `kubeconfig ${file} is not valid YAML: an alias is unresolved or repeated too often`,
    });
  });
});

const head = "current-context: c\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\n";
const withCluster = (cluster: string, user = "{}") =>
  `${head}clusters: [{ name: k, cluster: ${cluster} }]\nusers: [{ name: u, user: ${user} }]\n`;

describe("loadKubeconfig refuses fields of the wrong type, naming the file and field, never the value", () => {
  const cases: [string, string, string][] = [
    [
      "certificate-authority: 5",
      withCluster("{ server: 'https://k', certificate-authority: 5 }"),
      "clusters[k].cluster.certificate-authority: must be a string",
    ],
    [
      "token: 12345",
      withCluster("{ server: 'https://k' }", "{ token: 12345 }"),
      "users[u].user.token: must be a string",
    ],
    [
      "server: 6443",
      withCluster("{ server: 6443 }"),
      "clusters[k].cluster.server: must be a string",
    ],
    [
      'insecure-skip-tls-verify: "true"',
      withCluster("{ server: 'https://k', insecure-skip-tls-verify: 'true' }"),
      "clusters[k].cluster.insecure-skip-tls-verify: must be true or false",
    ],
    [
      "tokenFile: [a]",
      withCluster("{ server: 'https://k' }", "{ tokenFile: [a] }"),
      "users[u].user.tokenFile: must be a string",
    ],
    [
      "password: 1234",
      withCluster("{ server: 'https://k' }", "{ username: admin, password: 1234 }"),
      "users[u].user.password: must be a string",
    ],
    [
      "client-key-data: 7",
      withCluster("{ server: 'https://k' }", "{ client-key-data: 7 }"),
      "users[u].user.client-key-data: must be a string",
    ],
    [
      "exec.command: 5",
      withCluster(
        "{ server: 'https://k' }",
        "{ exec: { apiVersion: client.authentication.k8s.io/v1, command: 5 } }",
      ),
      "users[u].user.exec.command: must be a string",
    ],
    [
      "exec.args: a string",
      withCluster(
        "{ server: 'https://k' }",
        "{ exec: { apiVersion: client.authentication.k8s.io/v1, command: x, args: '--token=abc' } }",
      ),
      "users[u].user.exec.args: must be a list",
    ],
    [
      "exec.args: a number in the list",
      withCluster(
        "{ server: 'https://k' }",
        "{ exec: { apiVersion: client.authentication.k8s.io/v1, command: x, args: [a, 1] } }",
      ),
      "users[u].user.exec.args[1]: must be a string",
    ],
    [
      "exec.env without value",
      withCluster(
        "{ server: 'https://k' }",
        "{ exec: { apiVersion: client.authentication.k8s.io/v1, command: x, env: [{ name: A }] } }",
      ),
      "users[u].user.exec.env[0].value: is required",
    ],
    [
      "exec.provideClusterInfo: yes-ish",
      withCluster(
        "{ server: 'https://k' }",
        "{ exec: { apiVersion: client.authentication.k8s.io/v1, command: x, provideClusterInfo: 'yes' } }",
      ),
      "users[u].user.exec.provideClusterInfo: must be true or false",
    ],
    [
      "exec.interactiveMode: Sometimes",
      withCluster(
        "{ server: 'https://k' }",
        "{ exec: { apiVersion: client.authentication.k8s.io/v1, command: x, interactiveMode: Sometimes } }",
      ),
      "users[u].user.exec.interactiveMode: must be one of Never, IfAvailable, Always",
    ],
    [
      "exec.apiVersion missing",
      withCluster("{ server: 'https://k' }", "{ exec: { command: x } }"),
      'users[u].user.exec.apiVersion: "" is not supported',
    ],
    [
      "exec: a string",
      withCluster("{ server: 'https://k' }", "{ exec: get-token }"),
      "users[u].user.exec: must be a mapping",
    ],
    [
      "context namespace: a list",
      `current-context: c\ncontexts: [{ name: c, context: { cluster: k, namespace: [a] } }]\n`,
      "contexts[c].context.namespace: must be a string",
    ],
    [
      "cluster: a list",
      `${head}clusters: [{ name: k, cluster: [server] }]\n`,
      "clusters[k].cluster: must be a mapping",
    ],
    [
      "extensions: a mapping",
      withCluster("{ server: 'https://k', extensions: { a: b } }"),
      "clusters[k].cluster.extensions: must be a list",
    ],
    [
      "an extension without name",
      withCluster("{ server: 'https://k', extensions: [{ extension: {} }] }"),
      "clusters[k].cluster.extensions[0].name: is required",
    ],
    [
      "an extension name that is a number",
      withCluster("{ server: 'https://k', extensions: [{ name: 5 }] }"),
      "clusters[k].cluster.extensions[0].name: must be a string",
    ],
    [
      "exec.env entry without name",
      withCluster(
        "{ server: 'https://k' }",
        "{ exec: { apiVersion: client.authentication.k8s.io/v1, command: x, env: [{ value: v }] } }",
      ),
      "users[u].user.exec.env[0].name: is required",
    ],
    ["current-context: 5", "current-context: 5\n", "current-context: must be a string"],
    ["users: a mapping", "users: { u: {} }\n", "users: must be a list"],
  ];
  it.each(cases)("%s", async (_what, text, field) => {
    const file = await write("config", text);
    const error = await failure(loadKubeconfig({ files: [file] }));
    expect(error.code).toBe("InvalidConfig");
    expect(error.message.startsWith(`kubeconfig ${file}: ${field}`)).toBe(true);
    expect(error.source).toBe(`${file}: ${field.split(":")[0]}`);
    for (const value of ["12345", "1234", "--token=abc"])
      expect(error.message).not.toContain(value);
  });

  it("takes null fields as absent, as client-go does", async () => {
    const file = await write(
      "config",
      withCluster("{ server: 'https://k', certificate-authority: null }", "{ token: t, exec: ~ }"),
    );
    const credentials = await loadKubeconfig({ files: [file] });
    expect(credentials.ca).toBeUndefined();
    expect(await credentials.auth?.authorization()).toBe("Bearer t");
  });

  it("refuses impersonation, which kin would otherwise drop and act as the wider identity", async () => {
    const file = await write(
      "config",
      withCluster("{ server: 'https://k' }", "{ token: t, as: system:admin }"),
    );
    expect((await failure(loadKubeconfig({ files: [file] }))).message).toBe(
      `kubeconfig ${file}: users[u].user.as: impersonation is not supported by kin yet; remove it or use another user`,
    );
  });

  it("refuses a token that an Authorization header cannot carry, naming the field", async () => {
    const file = await write(
      "config",
      withCluster("{ server: 'https://k' }", '{ token: "secret-token\\nX-Injected: 1" }'),
    );
    const error = await failure(loadKubeconfig({ files: [file] }));
    expect(error).toMatchObject({
      code: "InvalidConfig",
      source: `${file}: users[u].user.token`,
      message: `kubeconfig ${file}: users[u].user.token: holds a character that cannot be sent in an Authorization header (at position 13; a token is visible ASCII only)`,
    });
  });
});

describe("loadKubeconfig and special or huge files", () => {
  it("refuses a FIFO as the kubeconfig, its CA, client certificate or key, without waiting", async () => {
    const pipe = fifo(join(dir, "pipe"));
    expect((await failure(loadKubeconfig({ files: [pipe] }))).message).toBe(
      `cannot read kubeconfig ${pipe}: a FIFO, not a regular file`,
    );
    await write("cert", CERT);
    await write("key", KEY);
    for (const [cluster, user, what] of [
      ["{ server: 'https://k', certificate-authority: pipe }", "{}", "CA file"],
      [
        "{ server: 'https://k' }",
        "{ client-certificate: pipe, client-key: key }",
        "client certificate file",
      ],
      [
        "{ server: 'https://k' }",
        "{ client-certificate: cert, client-key: pipe }",
        "client key file",
      ],
    ] as const) {
      const file = await write("config", withCluster(cluster, user));
      const error = await failure(loadKubeconfig({ files: [file] }));
      expect(error).toMatchObject({
        code: "FileUnreadable",
        source: pipe,
        message: `cannot read ${what} ${pipe}: a FIFO, not a regular file`,
      });
    }
  }, 10_000);

  it("refuses a tokenFile that is a FIFO or /dev/zero when the token is asked for", async () => {
    fifo(join(dir, "pipe"));
    await symlink("/dev/zero", join(dir, "zero"));
    for (const [name, kind] of [
      ["pipe", "a FIFO"],
      ["zero", "a character device"],
    ] as const) {
      const file = await write(
        "config",
        withCluster("{ server: 'https://k' }", `{ tokenFile: ${name} }`),
      );
      const credentials = await loadKubeconfig({ files: [file] });
      const error = await failure(credentials.auth?.authorization() ?? Promise.resolve());
      expect(error.message).toBe(
        `cannot read token file ${join(dir, name)}: ${kind}, not a regular file`,
      );
    }
  }, 10_000);

  it("refuses files over their limits: kubeconfig 16 MiB, CA 1 MiB, key 64 KiB", async () => {
    const big = join(dir, "big");
    await writeFile(big, "");
    await truncate(big, 16 * 1024 * 1024 + 1);
    expect((await failure(loadKubeconfig({ files: [big] }))).message).toBe(
      `kubeconfig ${big} is larger than 16 MiB`,
    );
    await write("ca.crt", CA.repeat(Math.ceil((1024 * 1024) / CA.length) + 1));
    let file = await write(
      "config",
      withCluster("{ server: 'https://k', certificate-authority: ca.crt }"),
    );
    expect((await failure(loadKubeconfig({ files: [file] }))).message).toBe(
      `CA file ${join(dir, "ca.crt")} is larger than 1 MiB`,
    );
    await write("cert", CERT);
    await write("key", KEY.repeat(Math.ceil((64 * 1024) / KEY.length) + 1));
    file = await write(
      "config",
      withCluster("{ server: 'https://k' }", "{ client-certificate: cert, client-key: key }"),
    );
    expect((await failure(loadKubeconfig({ files: [file] }))).message).toBe(
      `client key file ${join(dir, "key")} is larger than 64 KiB`,
    );
  });
});

describe("a broken kubeconfig's error holds none of its text", () => {
  const TOKEN = "sk-live-0123456789abcdef";
  it.each([
    ["an unclosed flow", `users: [{ name: u, user: { token: ${TOKEN} }\n`],
    ["a bad indent", `users:\n- name: u\n  user:\n    token: ${TOKEN}\n   bad: indent\n`],
    ["a bad escape", `users: [{ name: u, user: { token: "${TOKEN}\\q" } }]\n`],
    ["a duplicate key", `users: [{ name: u, user: { token: ${TOKEN}, token: ${TOKEN} } }]\n`],
    ["an unresolved alias", `users: [{ name: u, user: { token: *${TOKEN} } }]\n`],
  ])("%s: not in the message, the cause, inspect, or the warnings", async (_what, text) => {
    const file = await write("config", text);
    const warnings = vi.spyOn(process, "emitWarning");
    try {
      const error = await failure(loadKubeconfig({ files: [file] }));
      expect(error.message).toMatch(new RegExp(`^kubeconfig ${file} is not valid YAML: `));
      expect(error.message).not.toContain(TOKEN);
      expect(inspect(error, { depth: 20, showHidden: true })).not.toContain(TOKEN);
      expect(JSON.stringify(error)).not.toContain(TOKEN);
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      warnings.mockRestore();
    }
  });

  it("says where: the parser's code, line and column", async () => {
    const file = await write("config", `a: 1\nb: [x\n`);
    expect((await failure(loadKubeconfig({ files: [file] }))).message).toMatch(
      new RegExp(`^kubeconfig ${file} is not valid YAML: [A-Z_]+ at line \\d+, column \\d+$`),
    );
  });

  it("prints no warning quoting a line with an unknown tag", async () => {
    const warnings = vi.spyOn(process, "emitWarning");
    try {
      const file = await write(
        "config",
        withCluster("{ server: 'https://k' }", `{ token: !secret ${TOKEN} }`),
      );
      await loadKubeconfig({ files: [file] });
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      warnings.mockRestore();
    }
  });
});

describe("loadKubeconfig: what users rely on", () => {
  it("refuses a client certificate or key that is not PEM, and takes RSA and EC keys", async () => {
    const user = (cert: string, key: string) =>
      withCluster(
        "{ server: 'https://k' }",
        `{ client-certificate-data: ${b64(cert)}, client-key-data: ${b64(key)} }`,
      );
    let file = await write("config", user("junk", KEY));
    expect((await failure(loadKubeconfig({ files: [file] }))).message).toBe(
      `kubeconfig ${file}: users[u].user.client-certificate: holds no PEM certificate`,
    );
    file = await write(
      "config",
      user(CERT, "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n"),
    );
    expect((await failure(loadKubeconfig({ files: [file] }))).message).toBe(
      `kubeconfig ${file}: users[u].user.client-key: holds no PEM private key`,
    );
    for (const kind of ["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY"]) {
      const key = `-----BEGIN ${kind}-----\nMIIE\n-----END ${kind}-----\n`;
      file = await write("config", user(CERT, key));
      const credentials = await loadKubeconfig({ files: [file] });
      expect(credentials.clientCert).toBe(CERT);
      expect(credentials.clientKey?.reveal()).toBe(key);
    }
    file = await write(
      "config",
      withCluster("{ server: 'https://k' }", `{ client-key-data: ${b64(KEY)} }`),
    );
    expect((await failure(loadKubeconfig({ files: [file] }))).message).toBe(
      `kubeconfig ${file}: users[u].user: client-certificate and client-key must be given together`,
    );
  });

  it("pairs username and password: one without the other is an error; an empty password is a password", async () => {
    for (const user of [
      "{ username: admin }",
      "{ password: hunter2 }",
      "{ username: '', password: x }",
    ]) {
      const file = await write("config", withCluster("{ server: 'https://k' }", user));
      expect((await failure(loadKubeconfig({ files: [file] }))).message).toBe(
        `kubeconfig ${file}: users[u].user: username and password must be given together`,
      );
    }
    const file = await write(
      "config",
      withCluster("{ server: 'https://k' }", "{ username: admin, password: '' }"),
    );
    expect(await (await loadKubeconfig({ files: [file] })).auth?.authorization()).toBe(
      `Basic ${b64("admin:")}`,
    );
  });

  it("names every method when a user has several (token, basic auth, exec)", async () => {
    const file = await write(
      "config",
      withCluster(
        "{ server: 'https://k' }",
        "{ tokenFile: t, password: p, exec: { apiVersion: client.authentication.k8s.io/v1, command: x } }",
      ),
    );
    expect((await failure(loadKubeconfig({ files: [file] }))).message).toBe(
      `kubeconfig ${file}: users[u].user: more than one authentication method found (token, basic auth, exec); only one is allowed`,
    );
  });

  it("prefers tokenFile to token, as client-go does", async () => {
    await write("tok", "from-file\n");
    const file = await write(
      "config",
      withCluster("{ server: 'https://k' }", "{ token: inline, tokenFile: tok }"),
    );
    expect(await (await loadKubeconfig({ files: [file] })).auth?.authorization()).toBe(
      "Bearer from-file",
    );
  });

  it("looks a bare exec command up in PATH, not next to the kubeconfig", async () => {
    const answer = (token: string) =>
      `#!/bin/sh\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${token}"}}'\n`;
    await write("bin/get-token", answer("from-path"));
    await write("get-token", answer("next-to-the-kubeconfig"));
    await chmod(join(dir, "bin", "get-token"), 0o755);
    await chmod(join(dir, "get-token"), 0o755);
    const file = await write(
      "config",
      withCluster(
        "{ server: 'https://k' }",
        "{ exec: { apiVersion: client.authentication.k8s.io/v1, command: get-token } }",
      ),
    );
    const credentials = await loadKubeconfig({
      files: [file],
      env: { PATH: join(dir, "bin") },
    });
    expect(await credentials.auth?.authorization()).toBe("Bearer from-path");
  });

  it("passes an exec plugin's stderr to onExecStderr with its field, and the timeout through", async () => {
    await write("slow", "#!/bin/sh\nprintf 'opening a browser…' >&2\nexec sleep 600\n");
    await chmod(join(dir, "slow"), 0o755);
    const file = await write(
      "config",
      withCluster(
        "{ server: 'https://k' }",
        "{ exec: { apiVersion: client.authentication.k8s.io/v1, command: ./slow } }",
      ),
    );
    const seen: string[][] = [];
    const credentials = await loadKubeconfig({
      files: [file],
      execTimeoutMs: 300,
      onExecStderr: (stderr, field) => seen.push([stderr, field]),
    });
    const error = await failure(credentials.auth?.authorization() ?? Promise.resolve());
    expect(error.message).toBe(
      `exec plugin ${join(dir, "slow")} (users[u].user.exec): did not answer within 300 ms and was stopped`,
    );
    // Delivered once the killed plugin's pipes have closed.
    await expect.poll(() => seen.length).toBe(1);
    expect(seen).toEqual([["opening a browser…", "users[u].user.exec"]]);
  });

  it("takes http:// servers (a kubectl proxy) as they are, without trailing slashes", async () => {
    const file = await write("config", withCluster("{ server: 'http://127.0.0.1:8001//' }"));
    expect((await loadKubeconfig({ files: [file] })).server).toBe("http://127.0.0.1:8001");
  });

  it("trims an inline token, and reads base64 data across lines", async () => {
    const wrapped = b64(CA).replace(/(.{20})/g, "$1\n      ");
    const file = await write(
      "config",
      `${head}clusters: [{ name: k, cluster: { server: 'https://k', certificate-authority-data: "${wrapped.replace(/\n/g, "\\n")}" } }]\nusers: [{ name: u, user: { token: "  tok  " } }]\n`,
    );
    const credentials = await loadKubeconfig({ files: [file] });
    expect(credentials.ca).toBe(CA);
    expect(await credentials.auth?.authorization()).toBe("Bearer tok");
  });

  it("takes an empty -data field as absent and reads the file instead", async () => {
    await write("ca.crt", CA);
    await write("cert", CERT);
    await write("key", KEY);
    const file = await write(
      "config",
      withCluster(
        "{ server: 'https://k', certificate-authority-data: '', certificate-authority: ca.crt }",
        "{ client-certificate-data: '', client-certificate: cert, client-key-data: '', client-key: key }",
      ),
    );
    const credentials = await loadKubeconfig({ files: [file] });
    expect([credentials.ca, credentials.clientCert, credentials.clientKey?.reveal()]).toEqual([
      CA,
      CERT,
      KEY,
    ]);
    expect(credentials.reloadCa).toBeDefined();
  });

  it("offers reloadCa only for a CA file, and not when -data (which wins) is there too", async () => {
    await write("ca.crt", CA);
    let file = await write(
      "config",
      withCluster(
        `{ server: 'https://k', certificate-authority: ca.crt, certificate-authority-data: ${b64(CA.replace("ca", "data"))} }`,
      ),
    );
    let credentials = await loadKubeconfig({ files: [file] });
    expect(credentials.ca).toBe(CA.replace("ca", "data"));
    expect(credentials.reloadCa).toBeUndefined();
    file = await write("config", withCluster("{ server: 'https://k' }"));
    credentials = await loadKubeconfig({ files: [file] });
    expect(credentials.ca).toBeUndefined();
    expect(credentials.reloadCa).toBeUndefined();
    file = await write(
      "config",
      withCluster("{ server: 'https://k', certificate-authority: ca.crt }"),
    );
    credentials = await loadKubeconfig({ files: [file] });
    await write("ca.crt", "not a certificate");
    await expect(credentials.reloadCa?.()).rejects.toThrow(
      `CA file ${join(dir, "ca.crt")} holds no PEM certificate`,
    );
  });

  it("refuses a kubeconfig that is there but unreadable, instead of skipping it", async () => {
    await mkdir(join(dir, "folder"));
    const good = await write("good", withCluster("{ server: 'https://k' }"));
    const error = await failure(loadKubeconfig({ files: [join(dir, "folder"), good] }));
    expect(error).toMatchObject({
      code: "FileUnreadable",
      message: `cannot read kubeconfig ${join(dir, "folder")}: a directory, not a regular file`,
    });
  });

  it("takes the namespace from the option, then the context, then default; and the empty option as none", async () => {
    const file = await write(
      "config",
      `current-context: c\ncontexts: [{ name: c, context: { cluster: k, namespace: ctx-ns } }]\nclusters: [{ name: k, cluster: { server: 'https://k' } }]\n`,
    );
    expect((await loadKubeconfig({ files: [file] })).namespace).toBe("ctx-ns");
    expect((await loadKubeconfig({ files: [file], namespace: "opt" })).namespace).toBe("opt");
    expect((await loadKubeconfig({ files: [file], namespace: "" })).namespace).toBe("ctx-ns");
  });

  it("ignores blank entries in KUBECONFIG, and tells whether a kubeconfig exists", async () => {
    const file = await write("config", withCluster("{ server: 'https://k' }"));
    expect(kubeconfigFiles({ KUBECONFIG: `${delimiter} ${delimiter}${file}` })).toEqual([file]);
    expect(kubeconfigFiles({ KUBECONFIG: ` ${delimiter}`, HOME: dir })).toEqual([
      join(dir, ".kube", "config"),
    ]);
    expect(kubeconfigExists({ KUBECONFIG: file })).toBe(true);
    // KUBECONFIG set is a kubeconfig to load (and to fail on), as kubectl has it.
    expect(kubeconfigExists({ KUBECONFIG: join(dir, "absent"), HOME: dir })).toBe(true);
    expect(kubeconfigExists({ KUBECONFIG: " ", HOME: dir })).toBe(false);
    await write(".kube/config", "{}");
    expect(kubeconfigExists({ HOME: dir })).toBe(true);
  });

  it("sends the cluster to an exec plugin as client-go does (CA as base64, insecure, proxy, extension config)", async () => {
    await write(
      "plugin",
      `#!/bin/sh\nprintf '%s' "$KUBERNETES_EXEC_INFO" > "${join(dir, "info")}"\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}'\n`,
    );
    await chmod(join(dir, "plugin"), 0o755);
    const exec =
      "{ exec: { apiVersion: client.authentication.k8s.io/v1, command: ./plugin, provideClusterInfo: true } }";
    for (const [cluster, expected] of [
      [
        `{ server: 'https://k', certificate-authority-data: ${b64(CA)}, proxy-url: 'http://p:3128', extensions: [{ name: other, extension: 1 }, { name: client.authentication.k8s.io/exec, extension: { audience: a } }] }`,
        {
          server: "https://k",
          "certificate-authority-data": b64(CA),
          "proxy-url": "http://p:3128",
          config: { audience: "a" },
        },
      ],
      [
        "{ server: 'https://k', insecure-skip-tls-verify: true }",
        { server: "https://k", "insecure-skip-tls-verify": true },
      ],
      ["{ server: 'https://k', insecure-skip-tls-verify: false }", { server: "https://k" }],
    ] as const) {
      const file = await write("config", withCluster(cluster, exec));
      await (await loadKubeconfig({ files: [file] })).auth?.authorization();
      expect(JSON.parse(await readFile(join(dir, "info"), "utf8")).spec.cluster).toEqual(expected);
    }
  });
});
