/**
 * HBase's unit of data: a cell addressed by (row, family, qualifier, timestamp), plus the kind of
 * entry (a value, or one of the delete markers). All keys and values are bytes.
 */

/** What a stored entry is: a value, or a delete marker of one of HBase's kinds. */
export type CellType =
  /** A value. */
  | "put"
  /** Deletes one version of a column: the one at exactly this timestamp. */
  | "delete"
  /** Deletes every version of a column with timestamp ≤ this one. */
  | "deleteColumn"
  /** Deletes every column of a family with timestamp ≤ this one. */
  | "deleteFamily"
  /** Deletes every column of a family at exactly this timestamp. */
  | "deleteFamilyVersion";

/** One cell. */
export interface Cell {
  readonly row: Uint8Array;
  readonly family: Uint8Array;
  readonly qualifier: Uint8Array;
  /** Milliseconds since the epoch (HBase's long timestamp; exact up to 2^53). */
  readonly timestamp: number;
  readonly type: CellType;
  /** The value; empty for delete markers. */
  readonly value: Uint8Array;
}
