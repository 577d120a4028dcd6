import { http, type RequestHandler } from "msw";
import type { ApiServer } from "../server/apiServer.js";

/** Where msw-based tests send requests by default: the name pods use for the API server. */
export const DEFAULT_MSW_BASE_URL = "https://kubernetes.default.svc";

/**
 * msw request handlers that answer every request under `baseUrl` with `apiServer`, for
 * `setupServer(...handlers(apiServer))` in unit tests. Same core as the HTTPS listener.
 */
export function handlers(
  apiServer: ApiServer,
  baseUrl: string = DEFAULT_MSW_BASE_URL,
): RequestHandler[] {
  const origin = baseUrl.replace(/\/+$/, "");
  return [http.all(`${origin}/*`, ({ request }) => apiServer.handle(request))];
}
