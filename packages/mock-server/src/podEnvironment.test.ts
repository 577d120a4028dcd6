import { lstat, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { loadInCluster } from "@kin/credentials";
import { afterEach, describe, expect, it } from "vitest";
import { generateCertificates } from "./certificates.js";
import { createPodEnvironment, type PodEnvironment } from "./podEnvironment.js";

describe("createPodEnvironment", () => {
  let pod: PodEnvironment | undefined;
  afterEach(() => pod?.cleanup());

  it("lays out the service account as the kubelet does, readable by loadInCluster", async () => {
    const { ca } = await generateCertificates();
    pod = await createPodEnvironment({
      host: "::1",
      port: 6443,
      ca,
      token: "tok-1",
      namespace: "team-a",
    });
    expect(pod.env).toEqual({
      KUBERNETES_SERVICE_HOST: "::1",
      KUBERNETES_SERVICE_PORT: "6443",
      KUBERNETES_SERVICE_PORT_HTTPS: "6443",
    });
    expect(await readlink(join(pod.dir, "token"))).toBe(join("..data", "token"));
    expect((await lstat(join(pod.dir, "..data"))).isSymbolicLink()).toBe(true);
    const credentials = await loadInCluster({ dir: pod.dir, env: pod.env });
    expect(credentials.server).toBe("https://[::1]:6443");
    expect(credentials.namespace).toBe("team-a");
    expect(credentials.ca).toBe(ca);
    expect(await credentials.auth?.authorization()).toBe("Bearer tok-1");
  });

  it("rotates the token by swapping ..data atomically", async () => {
    pod = await createPodEnvironment({ host: "127.0.0.1", port: 443, ca: "unused", token: "old" });
    const before = await readlink(join(pod.dir, "..data"));
    await pod.rotateToken("new");
    expect(await readlink(join(pod.dir, "..data"))).not.toBe(before);
    expect(await readFile(join(pod.dir, "token"), "utf8")).toBe("new");
    expect(await readFile(join(pod.dir, "namespace"), "utf8")).toBe("default");
  });
});
