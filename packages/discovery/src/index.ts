export type { Catalogue, DiscoveredGroup, DiscoveryFailure } from "./catalogue.js";
export type { Discovery, DiscoveryOptions } from "./discovery.js";
export { AGGREGATED_ACCEPT, createDiscovery } from "./discovery.js";
export { defaultDiscoveryCacheDir } from "./diskCache.js";
export type { DiscoveryErrorCode } from "./errors.js";
export { DiscoveryError } from "./errors.js";
export type { KindQuery } from "./mapper.js";
