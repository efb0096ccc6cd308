/**
 * Filters that judge each cell on its own, with no per-row state: columnPrefix (ColumnPrefixFilter),
 * qualifier (QualifierFilter), value (ValueFilter) and keyOnly (KeyOnlyFilter). They never drop a row
 * by themselves: a row ends up dropped only when none of its cells is left.
 */
import type { Cell } from "../model/cell.js";
import { compareBytes, startsWith } from "../bytes/bytes.js";
import type { CompareOp } from "./filter.js";
import type { CompiledComparator } from "./comparators.js";
import { opHolds } from "./comparators.js";
import type { ColumnHint } from "./filter-node.js";
import { FilterBase } from "./filter-node.js";
import type { ReturnCode } from "./return-code.js";

/**
 * Cells whose qualifier starts with `prefix`, in any family. A qualifier sorting before the prefix
 * seeks to the prefix (hint: the first cell of `family:prefix`); one sorting after it ends the family.
 */
export class ColumnPrefixNode extends FilterBase {
  constructor(private readonly prefix: Uint8Array) {
    super();
  }

  filterCell(cell: Cell): ReturnCode {
    if (startsWith(cell.qualifier, this.prefix)) return "include";
    const head = cell.qualifier.length < this.prefix.length ? cell.qualifier : cell.qualifier.subarray(0, this.prefix.length);
    return compareBytes(head, this.prefix) < 0 ? "seekNextUsingHint" : "nextRow";
  }

  override nextCellHint(cell: Cell): ColumnHint {
    return { family: cell.family, qualifier: this.prefix };
  }
}

/** Cells whose qualifier satisfies `qualifier <op> operand` (others are skipped one by one). */
export class QualifierCompareNode extends FilterBase {
  constructor(
    private readonly op: CompareOp,
    private readonly comparator: CompiledComparator,
  ) {
    super();
  }

  filterCell(cell: Cell): ReturnCode {
    return opHolds(this.op, this.comparator(cell.qualifier)) ? "include" : "skip";
  }
}

/** Cells whose value satisfies `value <op> operand` (others are skipped one by one). */
export class ValueCompareNode extends FilterBase {
  constructor(
    private readonly op: CompareOp,
    private readonly comparator: CompiledComparator,
  ) {
    super();
  }

  filterCell(cell: Cell): ReturnCode {
    return opHolds(this.op, this.comparator(cell.value)) ? "include" : "skip";
  }
}

/**
 * Every cell, with its value replaced: by nothing, or (`lengthAsValue`) by the original value's length
 * as a 4-byte big-endian int (HBase's `Bytes.toBytes(int)`). The transform applies after all filters
 * judged the cell, so a value filter beside it still sees the real value.
 */
export class KeyOnlyNode extends FilterBase {
  constructor(private readonly lengthAsValue: boolean) {
    super();
  }

  filterCell(_cell: Cell): ReturnCode {
    return "include";
  }

  override transformCell(cell: Cell): Cell {
    let value: Uint8Array;
    if (this.lengthAsValue) {
      value = new Uint8Array(4);
      new DataView(value.buffer).setInt32(0, cell.value.length, false);
    } else {
      value = new Uint8Array(0);
    }
    return { row: cell.row, family: cell.family, qualifier: cell.qualifier, timestamp: cell.timestamp, type: cell.type, value };
  }
}
