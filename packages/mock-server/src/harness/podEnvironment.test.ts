import { lstat, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { loadInCluster } from "@kin/credentials";
import { afterEach, describe, expect, it } from "vitest";
import { decodeJwt } from "../auth/jwt.js";
import { createApiServer } from "../server/apiServer.js";
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

  const whoami = async (api: ReturnType<typeof createApiServer>, token: string) => {
    const response = await api.handle(
      new Request(
        "https://kubernetes.default.svc/apis/authentication.k8s.io/v1/selfsubjectreviews",
        {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: "{}",
        },
      ),
    );
    return response.status === 201
      ? ((await response.json()) as { status: { userInfo: { username: string } } }).status.userInfo
          .username
      : response.status;
  };

  it("issues its own service-account token from an ApiServer, bound to the pod", async () => {
    const api = createApiServer();
    api.add({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
    api.add({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web-0", namespace: "team-a" },
      spec: { containers: [{ name: "c" }] },
    });
    pod = await createPodEnvironment({
      host: "127.0.0.1",
      port: 443,
      ca: "unused",
      namespace: "team-a",
      serviceAccount: { apiServer: api, serviceAccountName: "robot", podName: "web-0" },
    });
    const token = await readFile(join(pod.dir, "token"), "utf8");
    expect(token).toBe(pod.token);
    expect(decodeJwt(token)).toMatchObject({
      sub: "system:serviceaccount:team-a:robot",
      "kubernetes.io": { namespace: "team-a", pod: { name: "web-0" } },
    });
    expect(await whoami(api, token)).toBe("system:serviceaccount:team-a:robot");
  });

  it("rotateToken(): the old token keeps working for the grace period, then gets 401", async () => {
    const api = createApiServer();
    pod = await createPodEnvironment({
      host: "127.0.0.1",
      port: 443,
      ca: "unused",
      serviceAccount: { apiServer: api },
      tokenGracePeriodMs: 150,
    });
    const old = pod.token;
    const fresh = await pod.rotateToken();
    expect(fresh).not.toBe(old);
    expect(await readFile(join(pod.dir, "token"), "utf8")).toBe(fresh);
    expect(await whoami(api, old)).toBe("system:serviceaccount:default:default");
    await new Promise((r) => setTimeout(r, 250));
    expect(await whoami(api, old)).toBe(401);
    expect(await whoami(api, fresh)).toBe("system:serviceaccount:default:default");
  });

  it("rotateToken(token) with given tokens revokes the old one through revokeWith (grace 0: at once)", async () => {
    const api = createApiServer();
    const first = api.issueToken();
    pod = await createPodEnvironment({
      host: "127.0.0.1",
      port: 443,
      ca: "unused",
      token: first,
      revokeWith: api,
    });
    await pod.rotateToken(api.issueToken());
    expect(await whoami(api, first)).toBe(401);
    expect(await whoami(api, pod.token)).toBe("kin-mock-user");
  });
});
