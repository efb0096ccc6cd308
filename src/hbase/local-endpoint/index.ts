/**
 * The local HBase-compatible endpoint: an embedded store served over HBase's native RPC. See README.md.
 */
export { startLocalEndpoint, type LocalEndpoint, type LocalEndpointOptions } from "./local-endpoint.js";
export { RegionDirectory, tableRefString, type ServedRegion } from "./region-directory.js";
export { clientService, type ClientServiceDeps } from "./client-service.js";
