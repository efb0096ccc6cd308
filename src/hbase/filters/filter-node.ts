/**
 * The life cycle of one filter during a scan, as HBase's region server drives it (`Filter`): reset per
 * row, a row-key test, one answer per cell, an optional transform of included cells, a final whole-row
 * verdict, and "nothing more can pass". Each supported filter (and the filter lists) implements it.
 */
import type { Cell } from "../model/cell.js";
import { compareBytes } from "../bytes/bytes.js";
import type { ReturnCode } from "./return-code.js";

/**
 * A seek target inside the current row: the first cell of column `family:qualifier` (any timestamp).
 * Column-level filters only ever seek within the row they are in.
 */
export interface ColumnHint {
  readonly family: Uint8Array;
  readonly qualifier: Uint8Array;
}

/** Order of a cell against a hint: negative when the cell sorts before the hint's first cell. */
export function compareCellToHint(cell: Cell, hint: ColumnHint): number {
  return compareBytes(cell.family, hint.family) || compareBytes(cell.qualifier, hint.qualifier);
}

/** One filter's state machine (HBase's `Filter` methods of the same names). */
export interface FilterNode {
  /** Called before each row: clears per-row state. */
  reset(): void;
  /** True once no later row of the scan can pass (the scan may stop). */
  filterAllRemaining(): boolean;
  /** True to drop the row on its key alone (no cell is looked at). */
  filterRowKey(row: Uint8Array): boolean;
  /** The answer for one cell of the current row (cells come in HBase order). */
  filterCell(cell: Cell): ReturnCode;
  /** The seek target after a `seekNextUsingHint` answer for `cell`; undefined when there is none. */
  nextCellHint(cell: Cell): ColumnHint | undefined;
  /** The cell as returned, for a cell this filter included. */
  transformCell(cell: Cell): Cell;
  /** Whether {@link filterRow} takes part in the row's verdict. */
  hasFilterRow(): boolean;
  /** After the row's cells: true to drop the whole row. May count rows (a page). */
  filterRow(): boolean;
}

/**
 * The parts most filters leave as they are (HBase's `FilterBase`): no per-row state, no row-key
 * test, no seek hint, cells returned unchanged, no whole-row verdict. A filter overrides what it uses.
 */
export abstract class FilterBase implements FilterNode {
  reset(): void {}

  filterAllRemaining(): boolean {
    return false;
  }

  filterRowKey(_row: Uint8Array): boolean {
    return false;
  }

  abstract filterCell(cell: Cell): ReturnCode;

  nextCellHint(_cell: Cell): ColumnHint | undefined {
    return undefined;
  }

  transformCell(cell: Cell): Cell {
    return cell;
  }

  hasFilterRow(): boolean {
    return false;
  }

  filterRow(): boolean {
    return false;
  }
}
