import { describe, expect, it } from "vitest";
import { isStatus, statusFromResponse } from "./status.js";

const status = {
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: 'pods "x" not found',
  reason: "NotFound",
  code: 404,
};

describe("Status detection", () => {
  it("takes a body as the server's Status only when it is one", () => {
    expect(isStatus(status)).toBe(true);
    for (const body of [
      { ...status, kind: "Pod" },
      { ...status, code: "404" },
      { kind: "Status" },
      null,
      "Status",
      [status],
    ]) {
      expect(isStatus(body), JSON.stringify(body)).toBe(false);
    }
  });

  it("keeps the server's Status, else makes one from the code and the body's start", () => {
    expect(statusFromResponse(404, JSON.stringify(status))).toEqual(status);
    const pod = JSON.stringify({ kind: "Pod", code: 404, message: "not a status" });
    expect(statusFromResponse(409, pod)).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: pod,
      reason: "Conflict",
      code: 409,
    });
    expect(statusFromResponse(502, ` ${"x".repeat(300)} `).message).toBe("x".repeat(200));
    expect(statusFromResponse(503, "")).toMatchObject({
      message: "the server responded with HTTP 503",
      reason: "ServiceUnavailable",
    });
    expect(statusFromResponse(599, "").reason).toBe("InternalError");
    expect(statusFromResponse(418, "").reason).toBe("Unknown");
  });

  it.each([
    [400, "BadRequest"],
    [401, "Unauthorized"],
    [403, "Forbidden"],
    [404, "NotFound"],
    [405, "MethodNotAllowed"],
    [406, "NotAcceptable"],
    [409, "Conflict"],
    [410, "Expired"],
    [413, "RequestEntityTooLarge"],
    [415, "UnsupportedMediaType"],
    [422, "Invalid"],
    [429, "TooManyRequests"],
    [500, "InternalError"],
    [503, "ServiceUnavailable"],
    [504, "Timeout"],
    [502, "InternalError"],
  ])("gives a bare HTTP %i client-go's reason %s", (code, reason) => {
    expect(statusFromResponse(code, "").reason).toBe(reason);
  });
});
