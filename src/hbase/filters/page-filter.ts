/**
 * page (HBase's PageFilter): at most `pageSize` rows. It counts the rows whose whole-row verdict
 * reaches it, so inside a list its place matters (see README.md, "Page and list order").
 */
import type { Cell } from "../model/cell.js";
import { FilterBase } from "./filter-node.js";
import type { ReturnCode } from "./return-code.js";

/**
 * Counts each call of {@link filterRow} (one per row that still has cells and whose verdict reaches
 * this filter) and drops rows past `pageSize`; once `pageSize` rows were counted,
 * {@link filterAllRemaining} is true and the scan may stop.
 */
export class PageNode extends FilterBase {
  private rowsAccepted = 0;

  constructor(private readonly pageSize: number) {
    super();
  }

  /** Not per row: the count spans the whole scan. */
  override reset(): void {}

  override filterAllRemaining(): boolean {
    return this.rowsAccepted >= this.pageSize;
  }

  override filterRowKey(_row: Uint8Array): boolean {
    return this.filterAllRemaining();
  }

  override filterCell(_cell: Cell): ReturnCode {
    return "include";
  }

  override hasFilterRow(): boolean {
    return true;
  }

  override filterRow(): boolean {
    this.rowsAccepted++;
    return this.rowsAccepted > this.pageSize;
  }
}
