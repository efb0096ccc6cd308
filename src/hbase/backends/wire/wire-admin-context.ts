/**
 * What the wire backend's Admin (`wire-admin.ts`) gets from the wire connection: calls to the active
 * master and to region servers, and hbase:meta's view of a table's regions.
 *
 * Types: `TableName` is the Table API's (`{ namespace, name }` strings, as `Admin` methods resolve a
 * `TableRef` to); `RegionInfo` is hbase:meta's protobuf `RegionInfo` (`region_id` bigint, `table_name`,
 * `start_key`/`end_key` bytes — absent or empty = open end, `offline`, `split`).
 * `callMaster` / `callAdmin` requests and responses are the protobuf messages as plain objects (field
 * names as in the .proto files, see src/hbase/wire/README.md); server errors reject with
 * `HBaseRemoteError`, connection problems with `HBaseConnectionError` / `HBaseCallTimeoutError`.
 */
import type { TableName } from "../../model/table-descriptor.js";
import type { RegionInfo } from "../../wire/hbase-protos.js";

export type { TableName, RegionInfo };

export interface WireAdminContext {
  /** Calls a MasterService method on the active master (found via <root>/master), reconnecting once on connection loss. */
  callMaster(method: string, request: object): Promise<object>;
  /** Calls an AdminService method (e.g. "SplitRegion", "CompactRegion", "GetRegionInfo") on the region server at host:port. */
  callAdmin(server: { host: string; port: number }, method: string, request: object): Promise<object>;
  /** Every region of a table with its server, in key order (fresh from hbase:meta, bypassing the cache). */
  regions(table: TableName): Promise<{ region: RegionInfo; regionName: Uint8Array; server: { host: string; port: number } }[]>;
  /** Forgets cached region locations of a table (after create/delete/truncate/split). */
  invalidate(table: TableName): void;
}
