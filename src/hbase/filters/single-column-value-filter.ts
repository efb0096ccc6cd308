/**
 * singleColumnValue (HBase's SingleColumnValueFilter): keeps or drops a whole row by the value of one
 * column, judged on the cells the filter is shown.
 */
import type { Cell } from "../model/cell.js";
import { equalBytes } from "../bytes/bytes.js";
import type { CompareOp } from "./filter.js";
import type { CompiledComparator } from "./comparators.js";
import { opHolds } from "./comparators.js";
import { FilterBase } from "./filter-node.js";
import type { ReturnCode } from "./return-code.js";

/** What {@link SingleColumnValueNode} needs, already validated and converted to bytes. */
export interface SingleColumnValueSpec {
  family: Uint8Array;
  qualifier: Uint8Array;
  op: CompareOp;
  comparator: CompiledComparator;
  filterIfMissing: boolean;
  latestVersionOnly: boolean;
}

/**
 * Per row: every cell is included until the tested column shows up. With `latestVersionOnly`, its
 * first (newest) version decides: a match includes the rest of the row, a mismatch ends the family
 * (`nextRow`) and drops the row. Without it, any matching version passes the row. The row verdict: a
 * row where the column was seen passes iff a version matched; a row where it was not seen passes
 * unless `filterIfMissing`. "Seen" means shown to this filter: a column the read did not select, or
 * one a filter before it in a MUST_PASS_ALL list dropped, counts as missing (as in HBase).
 */
export class SingleColumnValueNode extends FilterBase {
  private foundColumn = false;
  private matchedColumn = false;

  constructor(private readonly spec: SingleColumnValueSpec) {
    super();
  }

  override reset(): void {
    this.foundColumn = false;
    this.matchedColumn = false;
  }

  override filterCell(cell: Cell): ReturnCode {
    if (this.matchedColumn) return "include";
    if (this.spec.latestVersionOnly && this.foundColumn) return "nextRow";
    if (!equalBytes(cell.family, this.spec.family) || !equalBytes(cell.qualifier, this.spec.qualifier)) return "include";
    this.foundColumn = true;
    if (!opHolds(this.spec.op, this.spec.comparator(cell.value))) return this.spec.latestVersionOnly ? "nextRow" : "include";
    this.matchedColumn = true;
    return "include";
  }

  override hasFilterRow(): boolean {
    return true;
  }

  override filterRow(): boolean {
    return this.foundColumn ? !this.matchedColumn : this.spec.filterIfMissing;
  }
}
