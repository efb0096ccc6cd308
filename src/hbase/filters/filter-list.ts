/**
 * Filter lists (HBase's FilterList with FilterListWithAND / FilterListWithOR): members are asked in
 * order, and their answers merged the way HBase merges them — including HBase's short cuts, which
 * decide what stateful members (singleColumnValue, page) get to see.
 */
import type { Cell } from "../model/cell.js";
import { compareBytes, equalBytes } from "../bytes/bytes.js";
import type { ColumnHint, FilterNode } from "./filter-node.js";
import { compareCellToHint } from "./filter-node.js";
import type { ReturnCode } from "./return-code.js";
import { isInclude, mergeAll, mergeOne } from "./return-code.js";

function compareHints(a: ColumnHint, b: ColumnHint): number {
  return compareBytes(a.family, b.family) || compareBytes(a.qualifier, b.qualifier);
}

/**
 * MUST_PASS_ALL. A cell is included when every member includes it; members are asked in order and the
 * first one that does not include the cell ends the asking (later members never see that cell). A row
 * key is dropped when any member drops it (all are asked); the row verdict drops the row at the first
 * member that votes to drop it (later members' `filterRow` is not called: a page after it does not
 * count that row). Nothing more can pass once any member says so. An empty list passes everything.
 */
export class MustPassAllNode implements FilterNode {
  private seekHintMembers: FilterNode[] = [];

  constructor(private readonly members: readonly FilterNode[]) {}

  reset(): void {
    for (const m of this.members) m.reset();
    this.seekHintMembers = [];
  }

  filterAllRemaining(): boolean {
    return this.members.some((m) => m.filterAllRemaining());
  }

  filterRowKey(row: Uint8Array): boolean {
    let drop = false;
    for (const m of this.members) if (m.filterAllRemaining() || m.filterRowKey(row)) drop = true;
    return drop;
  }

  filterCell(cell: Cell): ReturnCode {
    let rc: ReturnCode = "include";
    this.seekHintMembers = [];
    for (const m of this.members) {
      if (m.filterAllRemaining()) return "nextRow";
      const local = m.filterCell(cell);
      if (local === "seekNextUsingHint") this.seekHintMembers.push(m);
      rc = mergeAll(rc, local);
      if (!isInclude(rc)) return rc;
    }
    return rc;
  }

  nextCellHint(cell: Cell): ColumnHint | undefined {
    let max: ColumnHint | undefined;
    for (const m of this.seekHintMembers) {
      if (m.filterAllRemaining()) continue;
      const hint = m.nextCellHint(cell);
      if (hint !== undefined && (max === undefined || compareHints(max, hint) < 0)) max = hint;
    }
    return max;
  }

  transformCell(cell: Cell): Cell {
    let out = cell;
    for (const m of this.members) out = m.transformCell(out);
    return out;
  }

  hasFilterRow(): boolean {
    return this.members.some((m) => m.hasFilterRow());
  }

  filterRow(): boolean {
    for (const m of this.members) if (m.filterRow()) return true;
    return false;
  }
}

/**
 * MUST_PASS_ONE. Every member that is not finished is asked about every cell — except that a member
 * which answered `nextRow` is not asked again in the same family, nor one that answered a seek before
 * its hint is reached (HBASE-17678); a cell is included when any member includes it, and it is then
 * transformed only by the members that included it. A row key is dropped only when every unfinished
 * member drops it; the row verdict keeps the row at the first member that votes to keep it (later
 * members' `filterRow` is not called: a page after it does not count that row). Nothing more can pass
 * once every member says so. An empty list passes everything.
 */
export class MustPassOneNode implements FilterNode {
  private readonly prevCode: (ReturnCode | undefined)[];
  private readonly prevCell: (Cell | undefined)[];
  private readonly included: boolean[];

  constructor(private readonly members: readonly FilterNode[]) {
    this.prevCode = members.map(() => undefined);
    this.prevCell = members.map(() => undefined);
    this.included = members.map(() => false);
  }

  reset(): void {
    this.members.forEach((m, i) => {
      m.reset();
      this.prevCode[i] = undefined;
      this.prevCell[i] = undefined;
      this.included[i] = false;
    });
  }

  filterAllRemaining(): boolean {
    return this.members.length > 0 && this.members.every((m) => m.filterAllRemaining());
  }

  filterRowKey(row: Uint8Array): boolean {
    if (this.members.length === 0) return false;
    let drop = true;
    for (const m of this.members) if (!m.filterAllRemaining() && !m.filterRowKey(row)) drop = false;
    return drop;
  }

  /** The answer a member gave before still stands for this cell (so the member is not asked). */
  private standingCode(member: FilterNode, cell: Cell, prevCell: Cell | undefined, prevCode: ReturnCode | undefined): ReturnCode | undefined {
    if (prevCell === undefined || prevCode === undefined) return undefined;
    switch (prevCode) {
      case "include":
      case "skip":
        return undefined;
      case "nextRow":
        return equalBytes(cell.family, prevCell.family) ? "nextRow" : undefined;
      case "seekNextUsingHint": {
        const hint = member.nextCellHint(prevCell);
        return hint !== undefined && compareCellToHint(cell, hint) < 0 ? "seekNextUsingHint" : undefined;
      }
    }
  }

  filterCell(cell: Cell): ReturnCode {
    if (this.members.length === 0) return "include";
    let rc: ReturnCode | undefined;
    this.members.forEach((m, i) => {
      this.included[i] = false;
      if (m.filterAllRemaining()) return;
      const local = this.standingCode(m, cell, this.prevCell[i], this.prevCode[i]) ?? m.filterCell(cell);
      this.prevCode[i] = local;
      this.prevCell[i] = local === "include" || local === "skip" ? undefined : cell;
      rc = mergeOne(rc, local);
      if (isInclude(local)) this.included[i] = true;
    });
    return rc ?? "skip";
  }

  nextCellHint(cell: Cell): ColumnHint | undefined {
    if (this.members.length === 0) return undefined;
    let min: ColumnHint | undefined;
    for (const m of this.members) {
      if (m.filterAllRemaining()) continue;
      const hint = m.nextCellHint(cell);
      if (hint === undefined) return undefined;
      if (min === undefined || compareHints(min, hint) > 0) min = hint;
    }
    return min;
  }

  transformCell(cell: Cell): Cell {
    let out = cell;
    this.members.forEach((m, i) => {
      if (this.included[i]) out = m.transformCell(out);
    });
    return out;
  }

  hasFilterRow(): boolean {
    return this.members.some((m) => m.hasFilterRow());
  }

  filterRow(): boolean {
    if (this.members.length === 0) return false;
    for (const m of this.members) if (!m.filterRow()) return false;
    return true;
  }
}
