import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CredentialsError } from "../errors.js";
import { loadCredentials } from "./auto.js";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";
let home: string;
let sa: string;
const pod = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "kin-home-"));
  sa = join(home, "serviceaccount");
  await mkdir(sa);
  await writeFile(join(sa, "token"), "pod-token");
  await writeFile(join(sa, "ca.crt"), CA);
});
afterEach(() => rm(home, { recursive: true, force: true }));

const kubeconfig =
  "current-context: c\ncontexts: [{ name: c, context: { cluster: k } }]\nclusters: [{ name: k, cluster: { server: 'https://laptop.example' } }]\n";

describe("loadCredentials", () => {
  it("prefers ~/.kube/config when it exists", async () => {
    await mkdir(join(home, ".kube"));
    await writeFile(join(home, ".kube", "config"), kubeconfig);
    const credentials = await loadCredentials({
      env: { HOME: home, ...pod },
      inCluster: { dir: sa },
    });
    expect(credentials.origin.kind).toBe("kubeconfig");
    expect(credentials.server).toBe("https://laptop.example");
  });

  it("loads the files it is given even when KUBECONFIG is unset and ~/.kube/config is missing", async () => {
    await writeFile(join(home, "given"), kubeconfig);
    const credentials = await loadCredentials({
      files: [join(home, "given")],
      env: { HOME: home, ...pod },
      inCluster: { dir: sa },
    });
    expect(credentials.origin).toMatchObject({ kind: "kubeconfig", files: [join(home, "given")] });
  });

  it("uses the pod's service account when there is no kubeconfig", async () => {
    const credentials = await loadCredentials({
      env: { HOME: home, ...pod },
      inCluster: { dir: sa },
    });
    expect(credentials.origin).toEqual({ kind: "in-cluster", dir: sa });
  });

  it("falls back to in-cluster when the kubeconfig is broken", async () => {
    await writeFile(join(home, "broken"), "clusters: [");
    const credentials = await loadCredentials({
      env: { HOME: home, KUBECONFIG: join(home, "broken"), ...pod },
      inCluster: { dir: sa },
    });
    expect(credentials.origin.kind).toBe("in-cluster");
  });

  it("reports both causes when both ways fail", async () => {
    await writeFile(join(home, "broken"), "clusters: [");
    const error = (await loadCredentials({
      env: { HOME: home, KUBECONFIG: join(home, "broken") },
      inCluster: { dir: sa },
    }).catch((e: unknown) => e)) as CredentialsError;
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error.code).toBe("NoCredentials");
    expect(error.source).toBe("credentials");
    expect(error.message).toMatch(
      /^no credentials found: kubeconfig: kubeconfig .*broken is not valid YAML: .*; in-cluster: not running in a cluster: environment variable KUBERNETES_SERVICE_HOST is not set$/,
    );
    expect((error.cause as AggregateError).errors).toHaveLength(2);
    expect((error.cause as AggregateError).message).toBe("kubeconfig and in-cluster both failed");
    const none = (await loadCredentials({ env: { HOME: home }, inCluster: { dir: sa } }).catch(
      (e: unknown) => e,
    )) as CredentialsError;
    expect((none.cause as AggregateError).errors[0]).toMatchObject({
      code: "FileUnreadable",
      source: "KUBECONFIG",
    });
    expect(none.message).toMatch(
      /^no credentials found: kubeconfig: no kubeconfig: KUBECONFIG is not set and ~\/\.kube\/config does not exist; in-cluster: /,
    );
  });
});
