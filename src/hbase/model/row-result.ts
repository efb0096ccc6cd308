import type { Cell } from "./cell.js";

/** The cells of one row, as a get or scan returns them. */
export interface RowResult {
  readonly row: Uint8Array;
  /** Cells in HBase order: family, qualifier, timestamp descending. */
  readonly cells: readonly Cell[];
}
