/**
 * Drives a compiled filter over one row at a time, the way HBase's region scanner drives a scan's
 * filter: reset, row-key test, one answer per cell with the scanner's skips and seeks, transform of
 * the included cells, then the whole-row verdict.
 */
import type { Cell } from "../model/cell.js";
import type { RowFilterRun } from "./row-filter.js";
import type { FilterNode } from "./filter-node.js";
import { compareCellToHint } from "./filter-node.js";
import type { ReturnCode } from "./return-code.js";
import { equalBytes } from "../bytes/bytes.js";

/**
 * The {@link RowFilterRun} of one get or scan. Rows must be handed over in scan order (ascending, or
 * descending for a reversed scan): state such as a page count or "past the row prefix" carries from
 * one row to the next.
 */
export class FilterRun implements RowFilterRun {
  constructor(private readonly root: FilterNode) {}

  /**
   * One row's cells (one row key; HBase order: family, qualifier, timestamp descending) → the cells to
   * return (values possibly transformed), or undefined when the row is dropped. A row with no cells,
   * or with none left after the cell answers, is dropped — and its whole-row verdict is not asked, so a
   * page does not count it (as in HBase, where an empty row never reaches `filterRow`).
   */
  filterRow(cells: readonly Cell[]): Cell[] | undefined {
    if (cells.length === 0) return undefined;
    const root = this.root;
    root.reset();
    if (root.filterAllRemaining()) return undefined;
    const row = cells[0]!.row;
    for (const cell of cells) {
      if (!equalBytes(cell.row, row)) throw new RangeError("filterRow: the cells given belong to more than one row");
    }
    if (root.filterRowKey(row)) return undefined;
    const out: Cell[] = [];
    let i = 0;
    while (i < cells.length) {
      const cell = cells[i]!;
      const code = root.filterCell(cell);
      if (code === "include") out.push(root.transformCell(cell));
      i = this.next(cells, i, code);
    }
    if (out.length === 0) return undefined;
    if (root.hasFilterRow() && root.filterRow()) return undefined;
    return out;
  }

  /** True once no later row can pass (e.g. a page is full, or a scan went past a row prefix). */
  done(): boolean {
    return this.root.filterAllRemaining();
  }

  /** Where the scanner goes after answering `code` for cells[i]. */
  private next(cells: readonly Cell[], i: number, code: ReturnCode): number {
    const cell = cells[i]!;
    let j = i + 1;
    if (code === "nextRow") {
      // An HBase store holds one family: its scanner skips the rest of this row there; the next
      // family's scanner carries on.
      while (j < cells.length && equalBytes(cells[j]!.family, cell.family)) j++;
    } else if (code === "seekNextUsingHint") {
      const hint = this.root.nextCellHint(cell);
      if (hint !== undefined && compareCellToHint(cell, hint) < 0) {
        while (j < cells.length && compareCellToHint(cells[j]!, hint) < 0) j++;
      }
    }
    return j;
  }
}
