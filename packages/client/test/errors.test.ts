import { createApiServer, credentialsFor, type HttpsListener, listen } from "@kin/mock-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyPatch,
  type Client,
  ConfigMap,
  ConnectionError,
  CredentialsError,
  createClient,
  DiscoveryError,
  InvalidNameError,
  isKinError,
  KinError,
  KubeApiError,
  labelSelector,
  loadInCluster,
} from "../src/index.js";

// One root for every error kin throws, whichever package throws it: each failure below comes from
// a real call (the mock server's HTTPS listener for the server and network ones).
const api = createApiServer();
let listener: HttpsListener;
let client: Client;

beforeAll(async () => {
  listener = await listen(api);
  client = await createClient({
    credentials: credentialsFor(listener, api.issueToken(), "default"),
    rateLimit: false,
  });
});
afterAll(async () => {
  await client.close();
  await listener.close();
});

/** The error `promise` rejects with (or `fn` throws). */
async function failure(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("did not fail");
}

describe("KinError", () => {
  it("is the root of the errors of every package, by isKinError() and instanceof", async () => {
    const closed = await listen(createApiServer());
    const unreachable = await createClient({
      credentials: credentialsFor(closed, "t", "default"),
      retry: false,
      rateLimit: false,
    });
    await closed.close();
    const errors: [unknown, new (...args: never[]) => Error][] = [
      [await failure(() => loadInCluster({ env: {} })), CredentialsError],
      [await failure(() => client.api(ConfigMap).get("absent")), KubeApiError],
      [await failure(() => unreachable.api(ConfigMap).list()), ConnectionError],
      [await failure(() => client.dynamic("example.com/v1", "Gadget")), DiscoveryError],
      [await failure(() => client.api(ConfigMap).get("a/b")), InvalidNameError],
      [await failure(() => labelSelector({ "bad key!": "x" })), Error],
      [await failure(() => applyPatch({ kind: "ConfigMap" } as never)), Error],
    ];
    await unreachable.close();
    for (const [error, type] of errors) {
      expect(error).toBeInstanceOf(type);
      expect(isKinError(error), String(error)).toBe(true);
      expect(error instanceof KinError, String(error)).toBe(true);
    }
    expect(errors.map(([error]) => (error as Error).name)).toEqual([
      "CredentialsError",
      "KubeApiError",
      "ConnectionRefusedError",
      "DiscoveryError",
      "InvalidNameError",
      "InvalidSelectorError",
      "InvalidApplyConfigurationError",
    ]);
  });

  it("leaves other errors out", () => {
    const lookalike = Object.assign(new Error("x"), { name: "KubeApiError", code: 404 });
    for (const error of [new Error("x"), new TypeError("y"), lookalike, undefined, "KinError"]) {
      expect(isKinError(error)).toBe(false);
      expect(error instanceof KinError).toBe(false);
    }
  });
});
