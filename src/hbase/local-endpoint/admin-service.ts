/**
 * AdminService of the local endpoint (the region server's admin calls): GetRegionInfo, SplitRegion
 * (HBase 1.x's Admin.split, sent to the region's server) and CompactRegion. A compaction covers the
 * region's whole table (the store compacts per table) and is finished when the call returns.
 */
import {
  CompactionStateValue,
  RegionSpecifierType,
  type CompactRegionRequest,
  type GetRegionInfoRequest,
  type RegionSpecifier,
  type SplitRegionRequest,
} from "../wire/hbase-protos.js";
import { tableNameFromString } from "../wire/meta-row.js";
import type { TypedServiceImpl } from "../wire/rpc-server.js";
import { doNotRetry, notServingRegion, toRemoteError } from "./endpoint-errors.js";
import { mapAdminError } from "./master-errors.js";
import type { ServedRegion } from "./region-directory.js";
import { splitServedRegion, type SplitDeps } from "./region-split.js";

async function served(deps: SplitDeps, spec: RegionSpecifier | undefined): Promise<ServedRegion> {
  if (!spec) throw doNotRetry("the request names no region");
  const region = await deps.directory.find(spec.value, spec.type === RegionSpecifierType.ENCODED_REGION_NAME);
  if (!region) throw notServingRegion(new TextDecoder().decode(spec.value));
  return region;
}

function mapped<A, R>(fn: (a: A) => Promise<R>): (a: A) => Promise<R> {
  return async (a) => {
    try {
      return await fn(a);
    } catch (error) {
      throw toRemoteError(error);
    }
  };
}

/** The typed AdminService implementation. */
export function adminService(deps: SplitDeps): TypedServiceImpl<"AdminService"> {
  return {
    GetRegionInfo: mapped(async (req: GetRegionInfoRequest) => {
      const r = await served(deps, req.region);
      const region_info = { region_id: r.regionId, table_name: tableNameFromString(r.table), start_key: r.startKey, end_key: r.endKey, offline: false, split: false };
      if (!req.compaction_state) return { region_info };
      let state: "none" | "major";
      try {
        state = await deps.connection.admin.compactionState(r.table);
      } catch (error) {
        throw mapAdminError(error);
      }
      return { region_info, compaction_state: state === "major" ? CompactionStateValue.MAJOR : CompactionStateValue.NONE };
    }),

    SplitRegion: mapped(async (req: SplitRegionRequest) => {
      await splitServedRegion(deps, await served(deps, req.region), req.split_point);
      return {};
    }),

    CompactRegion: mapped(async (req: CompactRegionRequest) => {
      const r = await served(deps, req.region);
      try {
        await deps.connection.admin.compact(r.table);
      } catch (error) {
        throw mapAdminError(error);
      }
      return {};
    }),
  };
}
