/**
 * page (HBase's PageFilter): at most `pageSize` rows. It counts the rows whose whole-row verdict
 * reaches it, so inside a list its place matters (see README.md, "Page and list order").
 */
import type { Cell } from "../model/cell.js";
import type { ColumnHint, FilterNode } from "./filter-node.js";
import type { ReturnCode } from "./return-code.js";

/**
 * Counts each call of {@link filterRow} (one per row that still has cells and whose verdict reaches
 * this filter) and drops rows past `pageSize`; once `pageSize` rows were counted,
 * {@link filterAllRemaining} is true and the scan may stop.
 */
export class PageNode implements FilterNode {
  private rowsAccepted = 0;

  constructor(private readonly pageSize: number) {}

  /** Not per row: the count spans the whole scan. */
  reset(): void {}

  filterAllRemaining(): boolean {
    return this.rowsAccepted >= this.pageSize;
  }

  filterRowKey(_row: Uint8Array): boolean {
    return this.filterAllRemaining();
  }

  filterCell(_cell: Cell): ReturnCode {
    return "include";
  }

  nextCellHint(_cell: Cell): ColumnHint | undefined {
    return undefined;
  }

  transformCell(cell: Cell): Cell {
    return cell;
  }

  hasFilterRow(): boolean {
    return true;
  }

  filterRow(): boolean {
    this.rowsAccepted++;
    return this.rowsAccepted > this.pageSize;
  }
}
