/**
 * The contract between a filter and the store that runs it. A store selects a row's visible cells
 * (columns, time range, versions, TTL and deletes already applied), in HBase's order, and hands them
 * to the filter; the filter says which cells the caller gets, or that the row is filtered out.
 */
import type { Cell } from "../model/cell.js";

/** A filter being applied during one get or scan (it may keep state, e.g. a page count). */
export interface RowFilterRun {
  /** The cells of one row to return, or undefined when the whole row is filtered out. */
  filterRow(cells: readonly Cell[]): Cell[] | undefined;
  /** True once no later row can pass (a page filter has its page): the scan may stop early. */
  done(): boolean;
}
