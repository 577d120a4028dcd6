import type { Transport } from "@kin/transport";
import type { APIGroupList, APIVersions, VersionInfo } from "./types.js";

/** Questions to the server about what it serves. */
export interface Discovery {
  /** `GET /version`. */
  version(options?: { signal?: AbortSignal }): Promise<VersionInfo>;
  /** `GET /api`: the core group's versions, as the docs' `curl …/api` shows. */
  coreVersions(options?: { signal?: AbortSignal }): Promise<APIVersions>;
  /** `GET /apis`: the named groups and their versions. */
  groups(options?: { signal?: AbortSignal }): Promise<APIGroupList>;
}

/** Discovery over `transport`. */
export function createDiscovery(transport: Transport): Discovery {
  return {
    version: (options) =>
      transport.request<VersionInfo>({ path: "/version", signal: options?.signal }),
    coreVersions: (options) =>
      transport.request<APIVersions>({ path: "/api", signal: options?.signal }),
    groups: (options) =>
      transport.request<APIGroupList>({ path: "/apis", signal: options?.signal }),
  };
}
