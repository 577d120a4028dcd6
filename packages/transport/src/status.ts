import type { Status } from "@kin/resources";

/** A Status whose `code` is known: every Status the transport hands out (see {@link isStatus}). */
export type StatusWithCode = Status & { code: number };

// The reasons client-go's errors.NewGenericServerResponse gives to a bare HTTP status.
const reasonByCode: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Expired",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/** Whether `value` is a Status object (with its `code`). */
export function isStatus(value: unknown): value is StatusWithCode {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "Status" &&
    typeof (value as { code?: unknown }).code === "number"
  );
}

/**
 * The Status of a failed response: the server's own when the body is one, else one made from
 * the HTTP code and the body's first 200 characters (e.g. an HTML page from a proxy).
 */
export function statusFromResponse(code: number, body: string): StatusWithCode {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isStatus(parsed)) return parsed;
  } catch {
    // not JSON: described below
  }
  const text = body.trim().slice(0, 200);
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: text || `the server responded with HTTP ${code}`,
    reason: reasonByCode[code] ?? (code >= 500 ? "InternalError" : "Unknown"),
    code,
  };
}
