// Property-based fuzzing of the kubeconfig loader (fast-check): documents of any shape, fields of any
// type, YAML broken anywhere. Whatever comes in, loadKubeconfig either gives credentials or throws a
// CredentialsError — never another error, never a hang — and the secrets in the file never reach an
// error's message, cause or inspect, nor the credentials' JSON or inspect. Bounded in runs and time
// (FUZZ_RUNS overrides the number of runs; a failure prints the seed to replay it).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { CredentialsError } from "../errors.js";
import { loadKubeconfig } from "./load.js";

const SECRET = "s3cr3t-fuzz-Q7xv9";
const CA = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n";
const KEY = `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----\n`;
const b64 = (text: string) => Buffer.from(text).toString("base64");
const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kin-fuzz-"));
  await writeFile(join(dir, "ca.crt"), CA);
  await writeFile(join(dir, "token"), `${SECRET}\n`);
  await writeFile(join(dir, "bad-token"), `${SECRET}\nsecond line\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Any value a YAML document can hold, small. */
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie("value"), { maxKeys: 3 }),
  ),
})).value;

/** Mostly a plausible value, now and then anything at all. */
const field = <T>(...plausible: fc.Arbitrary<T>[]) =>
  fc.oneof({ weight: 30, arbitrary: fc.oneof(...plausible) }, { weight: 1, arbitrary: anyValue });
/** Mostly `usual`, sometimes one of the `odd` values. */
const pick = <T>(usual: T, ...odd: T[]) =>
  odd.length === 0
    ? fc.constant(usual)
    : fc.oneof({ weight: 3, arbitrary: fc.constant(usual) }, fc.constantFrom(...odd));
const names = fc.constantFrom("c", "k", "u", "other");

const optional = { requiredKeys: [] as never[] };

/** A cluster: a server, mostly one way to trust it, and the optional fields. */
const cluster = fc
  .tuple(
    fc.record(
      {
        server: field(pick("https://k.example:6443/", "http://127.0.0.1:8001", "k8s:6443")),
        "tls-server-name": field(fc.constant("api.internal")),
        "proxy-url": field(fc.constant("http://proxy:3128")),
        extensions: field(
          fc.constant([{ name: "client.authentication.k8s.io/exec", extension: {} }]),
        ),
      },
      { requiredKeys: ["server"] },
    ),
    fc.oneof(
      fc.record({ "certificate-authority-data": field(pick(b64(CA), "***", b64("junk"))) }),
      fc.record({ "certificate-authority": field(pick("ca.crt", "missing.crt", "token")) }),
      fc.record({ "insecure-skip-tls-verify": field(fc.boolean()) }),
      fc.constant({}),
      fc.record(
        {
          "certificate-authority-data": field(fc.constant(b64(CA))),
          "certificate-authority": field(fc.constant("ca.crt")),
          "insecure-skip-tls-verify": field(fc.boolean()),
        },
        optional,
      ),
    ),
  )
  .map(([base, trust]) => ({ ...base, ...trust }));

// Secrets go only into secret fields; every other field may be echoed in a message.
const exec = fc.record(
  {
    apiVersion: field(pick("client.authentication.k8s.io/v1", "v1alpha1")),
    // Never a real program: nothing the fuzzer writes is run.
    command: field(pick("./no-such-plugin", "kin-fuzz-no-such-plugin", "")),
    args: field(fc.constant([`--client-secret=${SECRET}`])),
    env: field(fc.constant([{ name: "SECRET", value: SECRET }])),
    provideClusterInfo: field(fc.boolean()),
    interactiveMode: field(pick("Never", "IfAvailable", "Always")),
  },
  { requiredKeys: ["apiVersion", "command"] },
);

/** A user with one way to authenticate, mostly; or any mix of fields. */
const user = fc.oneof(
  fc.record({
    token: field(pick(SECRET, ` ${SECRET}\n`, `${SECRET}\nX: y`, `${SECRET} x`)),
  }),
  fc.record({
    tokenFile: field(pick("token", "bad-token", "missing", "/dev/zero", ".")),
  }),
  fc.record(
    { username: field(fc.constant("admin")), password: field(fc.constant(SECRET)) },
    optional,
  ),
  fc.record({ exec: field(exec) }),
  fc.record(
    {
      "client-certificate-data": field(fc.constant(b64(CERT))),
      "client-key-data": field(pick(b64(KEY), SECRET)),
      "client-certificate": field(pick("ca.crt", "missing")),
      "client-key": field(pick("token", "missing")),
    },
    optional,
  ),
  fc.record(
    { "auth-provider": field(fc.constant({ name: "gcp" })), as: field(fc.constant("x")) },
    optional,
  ),
);

const context = fc.record(
  {
    cluster: field(pick("k", "u", "other")),
    user: field(pick("u", "k", "other")),
    namespace: field(fc.constant("team-a")),
  },
  { requiredKeys: ["cluster", "user"] },
);

/** The list of one section: mostly the entry the current context needs, sometimes others too. */
const section = <T>(key: string, name: string, value: fc.Arbitrary<T>) =>
  field(
    fc
      .tuple(
        fc.record({ name: field(fc.constant(name)), [key]: field(value) }),
        fc.array(fc.record({ name: field(names), [key]: field(value) }), { maxLength: 2 }),
      )
      .map(([first, others]) => [first, ...others]),
  );

const document = fc.record(
  {
    apiVersion: fc.constant("v1"),
    kind: fc.constant("Config"),
    "current-context": field(pick("c", "k", "other")),
    clusters: section("cluster", "k", cluster),
    contexts: section("context", "c", context),
    users: section("user", "u", user),
  },
  { requiredKeys: ["current-context", "clusters", "contexts", "users"] },
);

/** One edit of the text: a character replaced, inserted or deleted at a position. */
const edit = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("replace", "insert", "delete"),
  char: fc.constantFrom(..."[]{}:,-\"'\n\t #&*!|>%@`\\?"),
});
type Edit = { at: number; op: "replace" | "insert" | "delete"; char: string };

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const { at, op, char } of edits) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (op === "insert") out = out.slice(0, i) + char + out.slice(i);
    else if (op === "replace") out = out.slice(0, i) + char + out.slice(i + 1);
    else out = out.slice(0, i) + out.slice(i + 1);
  }
  return out;
}

const shows = (value: unknown) =>
  `${inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true })} ${JSON.stringify(value) ?? ""}`;

let n = 0;
/** Loads `text` as a kubeconfig and checks what came out; resolves when all is well. */
async function check(text: string): Promise<void> {
  const file = join(dir, `config-${n++}`);
  await writeFile(file, text);
  let outcome: unknown;
  try {
    const credentials = await loadKubeconfig({ files: [file], env: { PATH: "/nonexistent" } });
    expect(credentials.server).toMatch(/^https?:\/\//);
    outcome = credentials;
    expect(shows(credentials)).not.toContain(SECRET);
    if (credentials.auth) {
      const header = await credentials.auth.authorization().then(
        (value) => value,
        (error: unknown) => {
          outcome = error;
          return undefined;
        },
      );
      if (header !== undefined) expect(header).toMatch(/^(Bearer|Basic) [\x21-\x7e]+$/);
    }
  } catch (error) {
    outcome = error;
  } finally {
    await rm(file, { force: true });
  }
  if (outcome instanceof Error) {
    if (!(outcome instanceof CredentialsError)) throw outcome;
    expect(shows(outcome)).not.toContain(SECRET);
    expect(outcome.message).not.toContain(SECRET);
    expect(outcome.source).not.toContain(SECRET);
  }
}

const settings = { numRuns: RUNS, interruptAfterTimeLimit: 20_000, timeout: 5_000 };

describe("kubeconfig loader under fuzzing", () => {
  it("documents of any shape, as YAML or JSON: credentials or a CredentialsError, no secret shown", async () => {
    await fc.assert(
      fc.asyncProperty(document, fc.boolean(), async (doc, asJson) => {
        await check(asJson ? JSON.stringify(doc) : stringify(doc));
      }),
      settings,
    );
  }, 60_000);

  it("YAML broken by random edits: the same", async () => {
    await fc.assert(
      fc.asyncProperty(
        document,
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        async (doc, edits) => {
          await check(applyEdits(stringify(doc), edits as Edit[]));
        },
      ),
      settings,
    );
  }, 60_000);

  it("any text at all: the same", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 400 }), async (text) => {
        await check(text);
      }),
      settings,
    );
  }, 60_000);
});
