/**
 * Filters that judge a row by its key alone: rowPrefix (HBase's PrefixFilter) and row (RowFilter).
 * A row they reject is dropped before any cell is looked at; inside a MUST_PASS_ONE list, where the
 * row may still pass through another member, they answer `nextRow` for each of its cells and vote
 * "drop" in the whole-row verdict.
 */
import type { Cell } from "../model/cell.js";
import { compareBytes } from "../bytes/bytes.js";
import type { CompareOp } from "./filter.js";
import type { CompiledComparator } from "./comparators.js";
import { opHolds } from "./comparators.js";
import { FilterBase } from "./filter-node.js";
import type { ReturnCode } from "./return-code.js";

/**
 * What both row-key filters share: a rejected row key drops the row, and each of its cells answers
 * `nextRow` (seen only inside a MUST_PASS_ONE list, where another member may still pass the row).
 */
abstract class RowKeyNode extends FilterBase {
  protected rowFiltered = true;

  filterCell(_cell: Cell): ReturnCode {
    return this.rowFiltered ? "nextRow" : "include";
  }

  override filterRow(): boolean {
    return this.rowFiltered;
  }
}

/**
 * Rows whose key starts with `prefix`. Once a scan has passed the prefix (a row sorting after it; on a
 * reversed scan, before it) nothing more can pass: {@link filterAllRemaining} turns true, so the scan
 * stops — and inside a MUST_PASS_ONE list the member drops out (counts as neither pass nor fail).
 * A row key shorter than the prefix is dropped without ending the scan, as in HBase.
 */
export class RowPrefixNode extends RowKeyNode {
  private passedPrefix = false;

  constructor(
    private readonly prefix: Uint8Array,
    private readonly reversed: boolean,
  ) {
    super();
  }

  override reset(): void {
    this.rowFiltered = true;
  }

  override filterAllRemaining(): boolean {
    return this.passedPrefix;
  }

  override filterRowKey(row: Uint8Array): boolean {
    if (this.passedPrefix) return true;
    if (row.length < this.prefix.length) return true;
    const cmp = compareBytes(row.subarray(0, this.prefix.length), this.prefix);
    if ((!this.reversed && cmp > 0) || (this.reversed && cmp < 0)) this.passedPrefix = true;
    this.rowFiltered = cmp !== 0;
    return this.rowFiltered;
  }
}

/** Rows whose key satisfies `key <op> operand` under the comparator (HBase's RowFilter). */
export class RowCompareNode extends RowKeyNode {
  protected override rowFiltered = false;

  constructor(
    private readonly op: CompareOp,
    private readonly comparator: CompiledComparator,
  ) {
    super();
  }

  override reset(): void {
    this.rowFiltered = false;
  }

  override filterRowKey(row: Uint8Array): boolean {
    if (!opHolds(this.op, this.comparator(row))) this.rowFiltered = true;
    return this.rowFiltered;
  }
}
