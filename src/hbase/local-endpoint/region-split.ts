/**
 * Splitting a served region at a row, for MasterService.SplitRegion (HBase 2.x's Admin.split) and
 * AdminService.SplitRegion (1.x): the split row is checked against the region, the store's
 * `admin.splitRegion` adds it as a boundary, and the region directory is refreshed, so the parent's
 * name answers NotServingRegionException from then on and hbase:meta shows the two daughters.
 */
import { compareBytes, toStringBinary } from "../bytes/bytes.js";
import type { Connection } from "../table.js";
import { doNotRetry, tableNotEnabled } from "./endpoint-errors.js";
import type { RegionDirectory, ServedRegion } from "./region-directory.js";
import type { MasterState } from "./table-states.js";
import { mapAdminError } from "./master-errors.js";

/** What a split needs. */
export interface SplitDeps {
  readonly connection: Connection;
  readonly directory: RegionDirectory;
  readonly state: MasterState;
}

/** Splits `region` at `splitRow` (required: this endpoint does not pick a midpoint). */
export async function splitServedRegion(deps: SplitDeps, region: ServedRegion, splitRow: Uint8Array | undefined): Promise<void> {
  const name = new TextDecoder().decode(region.name);
  if (!splitRow || splitRow.length === 0) throw doNotRetry(`split of ${name}: a split point is needed (this endpoint does not choose one)`);
  if (deps.state.isDisabled(region.table)) throw tableNotEnabled(region.table, "is disabled: its regions cannot be split");
  if (compareBytes(splitRow, region.startKey) === 0) throw doNotRetry(`Split row is equal to startkey: ${toStringBinary(splitRow)}`);
  const below = compareBytes(splitRow, region.startKey) < 0;
  const above = region.endKey.length > 0 && compareBytes(splitRow, region.endKey) >= 0;
  if (below || above) throw doNotRetry(`Split row ${toStringBinary(splitRow)} is not inside region ${name}`);
  try {
    await deps.connection.admin.splitRegion(region.table, splitRow);
  } catch (error) {
    throw mapAdminError(error);
  }
  await deps.directory.refresh();
}
