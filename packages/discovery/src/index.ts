export type { Discovery } from "./discovery.js";
export { createDiscovery } from "./discovery.js";
export type {
  APIGroup,
  APIGroupList,
  APIVersions,
  GroupVersionForDiscovery,
  VersionInfo,
} from "./types.js";
