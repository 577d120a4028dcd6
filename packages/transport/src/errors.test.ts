import { isKinError, KinError } from "@kin/credentials";
import { describe, expect, it } from "vitest";
import { ConnectionRefusedError, KubeApiError, StreamError } from "./errors.js";

const request = { method: "GET", path: "/api/v1/namespaces/x/pods/y" };

describe("transport errors", () => {
  it("are kin errors", () => {
    const errors = [
      new KubeApiError(request, { kind: "Status", code: 404, reason: "NotFound", message: "m" }),
      new ConnectionRefusedError(request, "GET /api → connection refused"),
      new StreamError(request, "cut"),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(KinError);
      expect(isKinError(error), error.name).toBe(true);
    }
  });

  it("name the request, the code, the reason and the message of the Status", () => {
    const error = new KubeApiError(request, {
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      code: 404,
      reason: "NotFound",
      message: 'pods "y" not found',
    });
    expect(error.message).toBe(
      'GET /api/v1/namespaces/x/pods/y → 404 NotFound: pods "y" not found',
    );
    expect([error.code, error.reason, error.isNotFound()]).toEqual([404, "NotFound", true]);
  });

  it("read a Status without reason or message (both optional on the wire) without inventing one", () => {
    const error = new KubeApiError(request, { kind: "Status", code: 404 });
    expect(error.message).toBe("GET /api/v1/namespaces/x/pods/y → 404: ");
    expect(error.reason).toBe("");
    expect(error.isNotFound()).toBe(true);
  });
});
