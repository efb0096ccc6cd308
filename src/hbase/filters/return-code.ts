/**
 * What a filter answers for one cell, and how a filter list merges its members' answers — the subset
 * of HBase's `Filter.ReturnCode` the supported filters can produce (none of them answers NEXT_COL or
 * the INCLUDE_AND_* variants, so merging never yields those either).
 */

/**
 * - `include`: return the cell, go on with the next one.
 * - `skip`: drop the cell, go on with the next one.
 * - `nextRow`: drop the cell and the rest of the row **in this family** (an HBase store holds one
 *   family; its scanner skips to the next row, the other families' scanners go on).
 * - `seekNextUsingHint`: drop the cell and jump to the filter's hint ({@link ColumnHint}).
 */
export type ReturnCode = "include" | "skip" | "nextRow" | "seekNextUsingHint";

/** True for the codes that return the cell. */
export function isInclude(code: ReturnCode): boolean {
  return code === "include";
}

const STEP: Record<ReturnCode, number> = { include: 0, skip: 1, nextRow: 2, seekNextUsingHint: 3 };

/**
 * MUST_PASS_ALL's merge ("maximal step"): the member answer that moves furthest wins, a seek hint over
 * everything (HBase's FilterListWithAND.mergeReturnCode restricted to these codes).
 */
export function mergeAll(rc: ReturnCode, local: ReturnCode): ReturnCode {
  return STEP[local] > STEP[rc] ? local : rc;
}

/**
 * MUST_PASS_ONE's merge ("minimal step"): any include wins; two nextRows stay nextRow, two seeks stay a
 * seek; any other mix is a skip, because the list cannot know how far a hint jumps
 * (HBase's FilterListWithOR.mergeReturnCode restricted to these codes).
 */
export function mergeOne(rc: ReturnCode | undefined, local: ReturnCode): ReturnCode {
  if (rc === undefined) return local;
  if (rc === "include" || local === "include") return "include";
  if (rc === local) return rc;
  return "skip";
}
