import { afterEach, describe, expect, it, vi } from "vitest";
import { createApiServer } from "../server/apiServer.js";
import { decodeJwt, generateSigningKey, signJwt } from "./jwt.js";

const BASE = "https://kubernetes.default.svc";
const UNAUTHORIZED = {
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: "Unauthorized",
  reason: "Unauthorized",
  code: 401,
};

async function call(
  api: ReturnType<typeof createApiServer>,
  path: string,
  token?: string,
  init: RequestInit = {},
) {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  const response = await api.handle(new Request(`${BASE}${path}`, { ...init, headers }));
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const whoami = (api: ReturnType<typeof createApiServer>, token?: string) =>
  call(api, "/apis/authentication.k8s.io/v1/selfsubjectreviews", token, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }),
  });

const ns = (name: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

describe("static tokens", () => {
  it("keep today's identity: kin-mock-user in system:masters", async () => {
    const api = createApiServer({ tokens: ["given"] });
    const { status, body } = await whoami(api, "given");
    expect(status).toBe(201);
    expect(body.status.userInfo).toEqual({
      username: "kin-mock-user",
      groups: ["system:masters", "system:authenticated"],
    });
    expect((await call(api, "/api/v1/namespaces/default/pods", api.issueToken())).status).toBe(200);
  });

  it("say who they are with issueToken({ user, groups })", async () => {
    const api = createApiServer();
    const token = api.issueToken({ user: "jane", groups: ["devs"], uid: "u-1" });
    expect((await whoami(api, token)).body.status.userInfo).toEqual({
      username: "jane",
      uid: "u-1",
      groups: ["devs", "system:authenticated"],
    });
  });

  it("are refused once revoked or expired, with the real 401 body", async () => {
    const api = createApiServer();
    const a = api.issueToken();
    const b = api.issueToken();
    api.revokeToken(a);
    api.expireToken(b);
    for (const token of [a, b, "never-issued"]) {
      const { status, body } = await call(api, "/api/v1/namespaces", token);
      expect(status).toBe(401);
      expect(body).toEqual(UNAUTHORIZED);
    }
  });

  it("401 for an Authorization header that is not a bearer token", async () => {
    const api = createApiServer();
    const token = api.issueToken();
    for (const header of [`Basic ${token}`, "Bearer", `Bearer ${token} extra`]) {
      const response = await api.handle(
        new Request(`${BASE}/version`, { headers: { authorization: header } }),
      );
      expect(response.status).toBe(401);
    }
  });
});

describe("service-account tokens", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("are signed JWTs shaped like bound tokens, and create the ServiceAccount", async () => {
    const api = createApiServer();
    api.add(ns("team"));
    api.add({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "team" },
      spec: { containers: [{ name: "c" }] },
    });
    const token = api.issueServiceAccountToken({ namespace: "team", name: "robot", pod: "web" });
    const [header] = token.split(".");
    expect(JSON.parse(Buffer.from(header as string, "base64url").toString())).toMatchObject({
      alg: "ES256",
      kid: expect.any(String),
    });
    const claims = decodeJwt(token);
    const admin = api.issueToken();
    const sa = (await call(api, "/api/v1/namespaces/team/serviceaccounts/robot", admin)).body;
    const pod = (await call(api, "/api/v1/namespaces/team/pods/web", admin)).body;
    expect(claims).toEqual({
      aud: ["https://kubernetes.default.svc.cluster.local"],
      exp: (claims.iat as number) + 3600,
      iat: expect.any(Number),
      iss: "https://kubernetes.default.svc.cluster.local",
      "kubernetes.io": {
        namespace: "team",
        serviceaccount: { name: "robot", uid: sa.metadata.uid },
        pod: { name: "web", uid: pod.metadata.uid },
      },
      nbf: claims.iat,
      sub: "system:serviceaccount:team:robot",
    });
    expect((await whoami(api, token)).body.status.userInfo).toEqual({
      username: "system:serviceaccount:team:robot",
      uid: sa.metadata.uid,
      groups: ["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"],
      extra: {
        "authentication.kubernetes.io/pod-name": ["web"],
        "authentication.kubernetes.io/pod-uid": [pod.metadata.uid],
      },
    });
  });

  it("refuse a pod that does not exist and a namespace that does not exist", () => {
    const api = createApiServer();
    expect(() =>
      api.issueServiceAccountToken({ namespace: "default", name: "sa", pod: "nope" }),
    ).toThrow('pods "nope" not found');
    expect(() => api.issueServiceAccountToken({ namespace: "nowhere", name: "sa" })).toThrow(
      'namespaces "nowhere" not found',
    );
  });

  it("expire after exp (with the validator's one-minute leeway) and are not valid before nbf", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2024-01-01T00:00:00Z"));
    const api = createApiServer();
    const token = api.issueServiceAccountToken({
      namespace: "default",
      name: "sa",
      expirationSeconds: 600,
    });
    expect((await whoami(api, token)).status).toBe(201);
    vi.setSystemTime(new Date("2024-01-01T00:10:59Z")); // exp + 59 s: within the leeway
    expect((await whoami(api, token)).status).toBe(201);
    vi.setSystemTime(new Date("2024-01-01T00:11:01Z"));
    expect(await whoami(api, token)).toEqual({ status: 401, body: UNAUTHORIZED });
    // Issued "in the future": more than a minute before nbf/iat.
    vi.setSystemTime(new Date("2024-01-01T00:00:00Z"));
    const later = api.issueServiceAccountToken({ namespace: "default", name: "sa" });
    vi.setSystemTime(new Date("2023-12-31T23:58:00Z"));
    expect((await whoami(api, later)).status).toBe(401);
  });

  it("expireToken and revokeToken stop them at once", async () => {
    const api = createApiServer();
    const a = api.issueServiceAccountToken({ namespace: "default", name: "sa" });
    const b = api.issueServiceAccountToken({ namespace: "default", name: "sa" });
    const c = api.issueServiceAccountToken({ namespace: "default", name: "sa" });
    api.expireToken(a);
    api.revokeToken(b);
    expect((await whoami(api, a)).status).toBe(401);
    expect((await whoami(api, b)).status).toBe(401);
    expect((await whoami(api, c)).status).toBe(201);
  });

  it("are refused with a wrong signature, audience, issuer or when malformed", async () => {
    const api = createApiServer();
    const good = api.issueServiceAccountToken({ namespace: "default", name: "sa" });
    const claims = decodeJwt(good);
    const forged = signJwt(claims, generateSigningKey());
    const [h, , s] = good.split(".") as [string, string, string];
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: "system:serviceaccount:default:admin" })).toString("base64url")}.${s}`;
    const wrongAudience = api.issueServiceAccountToken({
      namespace: "default",
      name: "sa",
      audiences: ["vault"],
    });
    const malformed = ["a.b", "not-a-jwt", `${h}.!!!.${s}`, `${h}.${h}.`];
    for (const token of [forged, tampered, wrongAudience, ...malformed]) {
      expect(await whoami(api, token)).toEqual({ status: 401, body: UNAUTHORIZED });
    }
    const other = createApiServer({ issuer: "https://other.example" });
    expect((await whoami(other, good)).status).toBe(401);
    // A server configured with that audience accepts it.
    const vault = createApiServer({ audiences: ["vault"] });
    const t = vault.issueServiceAccountToken({
      namespace: "default",
      name: "sa",
      audiences: ["vault"],
    });
    expect((await whoami(vault, t)).status).toBe(201);
  });

  it("stop working when the service account or the bound pod is deleted or replaced", async () => {
    const api = createApiServer();
    const admin = api.issueToken();
    api.add({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "default" },
      spec: { containers: [{ name: "c" }] },
    });
    const podBound = api.issueServiceAccountToken({ namespace: "default", name: "a", pod: "p" });
    const saOnly = api.issueServiceAccountToken({ namespace: "default", name: "b" });
    expect((await whoami(api, podBound)).status).toBe(201);
    await call(api, "/api/v1/namespaces/default/pods/p?gracePeriodSeconds=0", admin, {
      method: "DELETE",
    });
    expect((await whoami(api, podBound)).status).toBe(401);
    await call(api, "/api/v1/namespaces/default/serviceaccounts/b", admin, { method: "DELETE" });
    expect((await whoami(api, saOnly)).status).toBe(401);
    // Recreated under the same name: another uid, the old token stays refused.
    api.add({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "b", namespace: "default" },
    });
    expect((await whoami(api, saOnly)).status).toBe(401);
  });
});
