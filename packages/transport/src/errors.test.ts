import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  DnsError,
  KubeApiError,
  MAX_MESSAGE_CHARS,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseTooLargeError,
  StreamError,
  TlsError,
  TransportError,
} from "./errors.js";

const request = { method: "GET", path: "/api/v1/namespaces/x/pods/y" };
const apiError = (code: number, reason?: string, message = "m") =>
  new KubeApiError(request, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    code,
    message,
    ...(reason === undefined ? {} : { reason }),
  } as never);

describe("KubeApiError", () => {
  it("names the request, code, reason and message", () => {
    expect(apiError(404, "NotFound", 'pods "y" not found').message).toBe(
      'GET /api/v1/namespaces/x/pods/y → 404 NotFound: pods "y" not found',
    );
  });

  it("keeps 1 KiB of a longer Status message in its message, all of it in status", () => {
    const exact = "m".repeat(MAX_MESSAGE_CHARS);
    expect(apiError(500, "InternalError", exact).message).toBe(
      `GET /api/v1/namespaces/x/pods/y → 500 InternalError: ${exact}`,
    );
    const long = `${exact}xyz`;
    const error = apiError(500, "InternalError", long);
    expect(error.message).toBe(
      `GET /api/v1/namespaces/x/pods/y → 500 InternalError: ${exact}… (3 more characters in status.message)`,
    );
    expect(error.status.message).toBe(long);
    expect(apiError(500, "r".repeat(2000)).message).toContain("(976 more characters");
  });

  it.each([
    // by reason alone (any code), and by code alone (no reason)
    ["isNotFound", 400, "NotFound"],
    ["isNotFound", 404, undefined],
    ["isConflict", 500, "Conflict"],
    ["isConflict", 409, undefined],
    ["isGone", 500, "Expired"],
    ["isGone", 500, "Gone"],
    ["isGone", 410, undefined],
    ["isInvalid", 400, "Invalid"],
    ["isInvalid", 422, undefined],
    ["isTimeout", 500, "Timeout"],
    ["isTimeout", 504, undefined],
    ["isAlreadyExists", 409, "AlreadyExists"],
    ["isForbidden", 403, undefined],
    ["isUnauthorized", 401, undefined],
    ["isTooManyRequests", 429, undefined],
  ] as const)("%s() for %i %s, and no other predicate", (predicate, code, reason) => {
    const error = apiError(code, reason);
    const all = [
      "isNotFound",
      "isConflict",
      "isAlreadyExists",
      "isForbidden",
      "isUnauthorized",
      "isGone",
      "isTooManyRequests",
      "isInvalid",
      "isTimeout",
    ] as const;
    expect(all.filter((p) => error[p]())).toEqual([predicate]);
  });

  it("has no predicate true for a plain 400 or 500", () => {
    for (const error of [apiError(400, "BadRequest"), apiError(500, "InternalError")]) {
      expect([
        error.isNotFound(),
        error.isConflict(),
        error.isGone(),
        error.isInvalid(),
        error.isTimeout(),
      ]).toEqual([false, false, false, false, false]);
    }
  });
});

describe("error classes", () => {
  it("say which they are in name, and form one tree", () => {
    const cases: [Error, string, (abstract new (...args: never[]) => Error)[]][] = [
      [new TransportError(request, "x"), "TransportError", []],
      [apiError(404), "KubeApiError", [TransportError]],
      [new ConnectionError(request, "x"), "ConnectionError", [TransportError]],
      [new TlsError(request, "x"), "TlsError", [ConnectionError]],
      [new DnsError(request, "x"), "DnsError", [ConnectionError]],
      [new ConnectionRefusedError(request, "x"), "ConnectionRefusedError", [ConnectionError]],
      [new ConnectionResetError(request, "x"), "ConnectionResetError", [ConnectionError]],
      [new RequestTimeoutError(request, "x"), "RequestTimeoutError", [ConnectionError]],
      [new RequestAbortedError(request, "x"), "RequestAbortedError", [ConnectionError]],
      [new ResponseTooLargeError(request, "x", 1), "ResponseTooLargeError", [TransportError]],
      [new StreamError(request, "x"), "StreamError", [TransportError]],
    ];
    for (const [error, name, parents] of cases) {
      expect(error.name).toBe(name);
      for (const parent of parents) expect(error).toBeInstanceOf(parent);
    }
    expect(new ResponseTooLargeError(request, "x", 1)).not.toBeInstanceOf(ConnectionError);
    expect(new ResponseTooLargeError(request, "x", 7).limit).toBe(7);
  });
});
