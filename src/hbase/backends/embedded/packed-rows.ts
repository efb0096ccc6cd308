/**
 * A scan batch's rows packed as columns, and the assembler that makes them from the stored entries
 * without an object per cell: each visible cell is its row's key (shared by the row's cells), family and
 * qualifier (shared with equal ones decoded before), timestamp, and value (copied into one buffer of the
 * batch: the engine's value objects die young instead of being carried by the garbage collector while
 * the batch waits to be sent), kept in parallel arrays. The
 * local endpoint encodes them into a ScanResponse as they are; other consumers get `Result`s
 * ({@link PackedRows.toRows}). Rows holding delete markers are read by {@link readRow} itself; rows
 * without are reduced by {@link keepVisiblePuts} (the same cells).
 */
import type { Cell } from "../../model/cell.js";
import type { FamilyDescriptor } from "../../model/table-descriptor.js";
import { Result } from "../../result.js";
import type { CellColumns, ReadPlan, RowEntry } from "./row-reader.js";
import { keepVisiblePuts, readRow } from "./row-reader.js";
import { cellTypeOfCode, PUT_TYPE_CODE, readCellKeyParts, rowOfKey, rowPrefixLength, startsWithRowPrefix } from "./key-codec.js";

/**
 * Rows `[start, end)` of a scan batch as columns. Row `i` has key `rows[i]` and the cells
 * `[i === 0 ? 0 : cellEnds[i - 1], cellEnds[i])` of the cell columns, in HBase order (all of type put);
 * cell `c`'s value is `valueBytes[valueStarts[c], valueStarts[c] + valueLengths[c])`. Slices share the
 * arrays; nothing is changed once made.
 */
export class PackedRows {
  constructor(
    readonly rows: readonly Uint8Array[],
    readonly cellEnds: readonly number[],
    readonly families: readonly Uint8Array[],
    readonly qualifiers: readonly Uint8Array[],
    readonly timestamps: readonly number[],
    readonly valueBytes: Uint8Array,
    readonly valueStarts: readonly number[],
    readonly valueLengths: readonly number[],
    readonly start: number,
    readonly end: number,
  ) {}

  /** Rows held. */
  get length(): number {
    return this.end - this.start;
  }

  /** Rows `[from, to)` of these (relative indexes), sharing the arrays. */
  slice(from: number, to: number = this.length): PackedRows {
    const start = this.start + Math.max(0, Math.min(from, this.length));
    const end = Math.max(start, this.start + Math.max(0, Math.min(to, this.length)));
    return new PackedRows(this.rows, this.cellEnds, this.families, this.qualifiers, this.timestamps, this.valueBytes, this.valueStarts, this.valueLengths, start, end);
  }

  /** The rows as `Result`s (cells as plain objects; values copied out of the batch's buffer). */
  toRows(): Result[] {
    const out: Result[] = new Array(this.length);
    const { rows, cellEnds, families, qualifiers, timestamps, valueBytes, valueStarts, valueLengths } = this;
    for (let r = this.start; r < this.end; r++) {
      const row = rows[r]!;
      const first = r === 0 ? 0 : cellEnds[r - 1]!;
      const last = cellEnds[r]!;
      const cells: Cell[] = new Array(last - first);
      for (let c = first; c < last; c++) {
        const at = valueStarts[c]!;
        const value = valueBytes.slice(at, at + valueLengths[c]!);
        cells[c - first] = { row, family: families[c]!, qualifier: qualifiers[c]!, timestamp: timestamps[c]!, type: "put", value };
      }
      out[r - this.start] = new Result(row, cells);
    }
    return out;
  }
}

const EMPTY_ROWS = new PackedRows([], [], [], [], [], new Uint8Array(0), [], [], 0, 0);

/** Bytes the first batch's value buffer starts with; later ones start at what the batch before used (doubling as needed). */
const VALUE_BUFFER_BYTES = 1024;

function emptyColumns(): CellColumns {
  return { families: [], qualifiers: [], timestamps: [], valueStarts: [], valueLengths: [] };
}

/**
 * Assembles the rows of one scan's entries (batch after batch of `[key, value]` pairs in iteration
 * order) into {@link PackedRows}: rows with no visible cell are left out. One instance per iterator.
 */
export class PackedRowAssembler {
  private rows: Uint8Array[] = [];
  private cellEnds: number[] = [];
  private columns: CellColumns = emptyColumns();
  /** The batch's values, `valueBytes[0, valueUsed)`. */
  private valueBytes = new Uint8Array(VALUE_BUFFER_BYTES);
  private valueUsed = 0;
  /** Cells of the complete rows; the open row's entries follow them (`staged` of them). */
  private cells = 0;
  private staged = 0;
  /** Type codes of the open row's entries. */
  private readonly types: number[] = [];
  private hasMarkers = false;
  /** A key of the open row (its first `prefixLength` bytes are the row's key prefix), or undefined. */
  private rowKey: Uint8Array | undefined;
  private prefixLength = 0;
  private row: Uint8Array = new Uint8Array(0);
  /** Families and qualifiers of the row before, by position: equal ones are shared. */
  private readonly aboveFamilies: Uint8Array[] = [];
  private readonly aboveQualifiers: Uint8Array[] = [];
  private aboveCount = 0;
  private now = Date.now();

  /**
   * @param reversed whether the iterator runs backwards (entries of a row then arrive last first)
   * @param families the table's families by name
   * @param plan what the read selects
   */
  constructor(
    private readonly reversed: boolean,
    private readonly families: ReadonlyMap<string, FamilyDescriptor>,
    private readonly plan: ReadPlan,
  ) {}

  /** Complete rows held. */
  get length(): number {
    return this.rows.length;
  }

  /** Sets the time TTLs are measured against for the rows completed from now on. */
  setNow(now: number): void {
    this.now = now;
  }

  /** Adds one batch of `[key, value]` pairs in iteration order (the last row stays open until a later batch shows another row, or {@link end}). */
  add(pairs: readonly (readonly [Uint8Array, Uint8Array])[]): void {
    const { families, qualifiers, timestamps, valueStarts, valueLengths } = this.columns;
    const types = this.types;
    let rowKey = this.rowKey;
    let prefixLength = this.prefixLength;
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i]!;
      const key = pair[0];
      if (rowKey === undefined || !startsWithRowPrefix(key, rowKey, prefixLength)) {
        if (rowKey !== undefined) this.closeRow();
        rowKey = key;
        prefixLength = rowPrefixLength(key);
        this.rowKey = key;
        this.prefixLength = prefixLength;
        this.row = rowOfKey(key, prefixLength);
      }
      const k = this.staged;
      const at = this.cells + k;
      // hints: the previous entry (versions of one column) and the same place in the row before
      const previous = k > 0 ? at - 1 : -1;
      const aboveFamily = k < this.aboveCount ? this.aboveFamilies[k] : undefined;
      const aboveQualifier = k < this.aboveCount ? this.aboveQualifiers[k] : undefined;
      const parts = readCellKeyParts(
        key,
        prefixLength,
        aboveFamily ?? (previous >= 0 ? families[previous] : undefined),
        aboveQualifier ?? (previous >= 0 ? qualifiers[previous] : undefined),
        previous >= 0 ? families[previous] : undefined,
        previous >= 0 ? qualifiers[previous] : undefined,
      );
      families[at] = parts.family;
      qualifiers[at] = parts.qualifier;
      timestamps[at] = parts.timestamp;
      const value = pair[1];
      valueStarts[at] = this.copyValue(value);
      valueLengths[at] = value.length;
      types[k] = parts.typeCode;
      if (parts.typeCode !== PUT_TYPE_CODE) this.hasMarkers = true;
      this.staged = k + 1;
    }
  }

  /** The iteration ended: completes the open row, if any. */
  end(): void {
    if (this.rowKey !== undefined) this.closeRow();
    this.rowKey = undefined;
  }

  /** Hands out up to `max` complete rows (the rest are dropped) and starts a new batch. */
  take(max: number): PackedRows {
    const n = Math.min(this.rows.length, Math.max(0, max));
    if (this.rows.length === 0) return EMPTY_ROWS;
    const { families, qualifiers, timestamps, valueStarts, valueLengths } = this.columns;
    const bytes = this.valueBytes;
    const taken = new PackedRows(this.rows, this.cellEnds, families, qualifiers, timestamps, bytes, valueStarts, valueLengths, 0, n);
    // the open row's staged entries move to the new batch's columns and value buffer
    const staged = this.staged;
    const next = emptyColumns();
    this.valueBytes = new Uint8Array(Math.max(VALUE_BUFFER_BYTES, this.valueUsed));
    this.valueUsed = 0;
    for (let k = 0; k < staged; k++) {
      const from = this.cells + k;
      next.families[k] = families[from]!;
      next.qualifiers[k] = qualifiers[from]!;
      next.timestamps[k] = timestamps[from]!;
      const at = valueStarts[from]!;
      next.valueStarts[k] = this.copyValue(bytes.subarray(at, at + valueLengths[from]!));
      next.valueLengths[k] = valueLengths[from]!;
    }
    if (staged > 0) {
      families.length = this.cells;
      qualifiers.length = this.cells;
      timestamps.length = this.cells;
      valueStarts.length = this.cells;
      valueLengths.length = this.cells;
    }
    this.columns = next;
    this.rows = [];
    this.cellEnds = [];
    this.cells = 0;
    return taken;
  }

  /** Copies `value` into the batch's value buffer (grown as needed); returns where it starts. */
  private copyValue(value: Uint8Array): number {
    const n = value.length;
    const at = this.valueUsed;
    if (at + n > this.valueBytes.length) {
      const grown = new Uint8Array(Math.max(this.valueBytes.length * 2, at + n));
      grown.set(this.valueBytes.subarray(0, at));
      this.valueBytes = grown;
    }
    const bytes = this.valueBytes;
    if (n <= 32) for (let i = 0; i < n; i++) bytes[at + i] = value[i]!;
    else bytes.set(value, at);
    this.valueUsed = at + n;
    return at;
  }

  private closeRow(): void {
    const start = this.cells;
    const count = this.staged;
    const columns = this.columns;
    if (this.reversed) reverseRange(columns, this.types, start, count);
    // hints for the next row: this row's families and qualifiers in key order
    const { families, qualifiers } = columns;
    for (let k = 0; k < count; k++) {
      this.aboveFamilies[k] = families[start + k]!;
      this.aboveQualifiers[k] = qualifiers[start + k]!;
    }
    this.aboveCount = count;
    let kept: number;
    if (this.hasMarkers) kept = this.readWithMarkers(start, count);
    else kept = keepVisiblePuts(columns, start, count, this.families, this.plan, this.now);
    this.staged = 0;
    this.hasMarkers = false;
    if (kept > 0) {
      this.rows.push(this.row);
      this.cellEnds.push(start + kept);
      this.cells = start + kept;
    }
    // dropped cells stay in the arrays past `cells` and are overwritten (or cut by take)
  }

  /** A row with delete markers: read by {@link readRow} from its entries; the visible cells replace them. */
  private readWithMarkers(start: number, count: number): number {
    const { families, qualifiers, timestamps, valueStarts, valueLengths } = this.columns;
    const bytes = this.valueBytes;
    const row = this.row;
    const entries: RowEntry[] = new Array(count);
    for (let k = 0; k < count; k++) {
      const i = start + k;
      entries[k] = {
        key: { tableId: 0, row, family: families[i]!, qualifier: qualifiers[i]!, timestamp: timestamps[i]!, type: cellTypeOfCode(this.types[k]!) },
        value: bytes.subarray(valueStarts[i]!, valueStarts[i]! + valueLengths[i]!),
      };
    }
    const cells = readRow(entries, this.families, this.plan, this.now);
    for (let k = 0; k < cells.length; k++) {
      const c = cells[k]!;
      const i = start + k;
      families[i] = c.family;
      qualifiers[i] = c.qualifier;
      timestamps[i] = c.timestamp;
      // the cell's value is a view of the value buffer made above
      valueStarts[i] = c.value.byteOffset - bytes.byteOffset;
      valueLengths[i] = c.value.length;
    }
    return cells.length;
  }
}

/** Reverses cells `[start, start + count)` of `columns` and the first `count` of `types`. */
function reverseRange(columns: CellColumns, types: number[], start: number, count: number): void {
  const { families, qualifiers, timestamps, valueStarts, valueLengths } = columns;
  for (let a = 0, b = count - 1; a < b; a++, b--) {
    const i = start + a;
    const j = start + b;
    let t: Uint8Array = families[i]!;
    families[i] = families[j]!;
    families[j] = t;
    t = qualifiers[i]!;
    qualifiers[i] = qualifiers[j]!;
    qualifiers[j] = t;
    let x = timestamps[i]!;
    timestamps[i] = timestamps[j]!;
    timestamps[j] = x;
    x = valueStarts[i]!;
    valueStarts[i] = valueStarts[j]!;
    valueStarts[j] = x;
    x = valueLengths[i]!;
    valueLengths[i] = valueLengths[j]!;
    valueLengths[j] = x;
    const ty = types[a]!;
    types[a] = types[b]!;
    types[b] = ty;
  }
}
