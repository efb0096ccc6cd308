/**
 * Filters, as data: the same set (and semantics) HBase's own filters have, so that the embedded store
 * and the wire client (which serialises them as HBase's protobuf filters) accept the same values.
 */
import type { BytesLike } from "../bytes/bytes-like.js";

/** Comparison of a stored value against the comparator's value: `stored <op> operand`. */
export type CompareOp = "less" | "lessOrEqual" | "equal" | "notEqual" | "greaterOrEqual" | "greater";

/** How bytes are compared (HBase's ByteArrayComparable subclasses). */
export type Comparator =
  /** Unsigned lexicographic comparison with `value` (BinaryComparator). */
  | { type: "binary"; value: BytesLike }
  /** Compares only the first `value.length` bytes (BinaryPrefixComparator). */
  | { type: "binaryPrefix"; value: BytesLike }
  /** Case-insensitive substring test; only `equal` / `notEqual` make sense (SubstringComparator). */
  | { type: "substring"; value: string };

export type Filter =
  /** Rows whose key starts with `prefix` (PrefixFilter). */
  | { type: "rowPrefix"; prefix: BytesLike }
  /** Rows whose key compares with the comparator (RowFilter). */
  | { type: "row"; op: CompareOp; comparator: Comparator }
  /** Cells whose qualifier starts with `prefix` (ColumnPrefixFilter). */
  | { type: "columnPrefix"; prefix: BytesLike }
  /** Cells whose qualifier compares with the comparator (QualifierFilter). */
  | { type: "qualifier"; op: CompareOp; comparator: Comparator }
  /** Cells whose value compares with the comparator (ValueFilter). */
  | { type: "value"; op: CompareOp; comparator: Comparator }
  /**
   * Whole rows, by the value of one column (SingleColumnValueFilter): a row passes when the column's
   * value compares; a row without the column passes unless `filterIfMissing`; only the latest version
   * is tested unless `latestVersionOnly` is false.
   */
  | {
      type: "singleColumnValue";
      family: BytesLike;
      qualifier: BytesLike;
      op: CompareOp;
      comparator: Comparator;
      filterIfMissing?: boolean;
      latestVersionOnly?: boolean;
    }
  /** Cells with their values stripped (KeyOnlyFilter); `lengthAsValue` puts the value length (int32) instead. */
  | { type: "keyOnly"; lengthAsValue?: boolean }
  /** At most `pageSize` rows (PageFilter). */
  | { type: "page"; pageSize: number }
  /** All filters must pass ("mustPassAll") or at least one ("mustPassOne") (FilterList, nestable). */
  | { type: "list"; operator: "mustPassAll" | "mustPassOne"; filters: readonly Filter[] };
