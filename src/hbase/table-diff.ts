/**
 * `diffTables(reference, other)`: the cells two tables differ by — added, removed, changed — computed by
 * walking two ordered scans side by side (a merge: one row of each table in memory at a time, so both
 * tables can be any size), with counts of everything and the first differences kept. A notebook shows the
 * result as a table (HTML and text) plus a JSON form under a vendor mime.
 */
import { escapeHtml, tableBundle } from "../display/table-bundle.js";
import type { MimeBundle } from "../protocol/message.js";
import { compareBytes, equalBytes } from "./bytes/bytes.js";
import type { Cell } from "./model/cell.js";
import type { RowResult } from "./model/row-result.js";
import { printable } from "./result.js";
import { codecByName, isCodecName, type CodecName } from "./bytes/value-codecs.js";
import type { BytesLike, ScanOptions, Table, TimeRange } from "./table.js";

const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/** The mime type of a diff's JSON form (a vendor type: JupyterLab's JSON viewer would outrank the HTML table). */
export const TABLE_DIFF_MIME = "application/vnd.sluice.table-diff+json";

/** Options of {@link diffTables}. */
export interface TableDiffOptions {
  /**
   * Versions per column compared (default: every version the tables keep). `1` compares the latest
   * version of each column only.
   */
  maxVersions?: number;
  /** Differences kept in {@link TableDiff.differences} (default 100; the counts cover all of them). */
  limit?: number;
  /**
   * Compare the latest value of each column, whatever its timestamp (default false: a cell is
   * (row, family, qualifier, timestamp), so a value written at another timestamp is one cell removed
   * and one added). Implies `maxVersions: 1`.
   */
  ignoreTimestamps?: boolean;
  /**
   * Only these families (or "family:qualifier" columns). Both tables must have them: a family one table
   * lacks fails the diff, naming it. By default every family of both tables is compared, so the cells of
   * a family only one table has count as added or removed.
   */
  columns?: readonly string[];
  /** Only rows starting with this prefix. */
  prefix?: BytesLike;
  /** First row compared (inclusive). */
  startRow?: BytesLike;
  /** Row where the comparison stops (exclusive). */
  stopRow?: BytesLike;
  /** Only cells with timestamps in [min, max). */
  timeRange?: TimeRange;
  /**
   * Which rows are compared: "all" (default) or "rowsOfOther" — only rows the other table has, so rows
   * only the reference has are skipped instead of counted as removed (what a replay from a checkpoint
   * needs: it rewrites the reference's tail only).
   */
  scope?: "all" | "rowsOfOther";
  /**
   * How values are shown (the comparison is always of bytes): a codec for every column (`"int64"`), or
   * per column (`{ "c:bids": "int64" }`, other columns as text). Default: UTF-8 where printable, else
   * `\xNN` escapes. A value its codec cannot decode is shown as bytes.
   */
  codec?: CodecName | { readonly [column: string]: CodecName };
}

/** Shows one value of a column as text. */
export type ValueFormatter = (value: Uint8Array, family: Uint8Array, qualifier: Uint8Array) => string;

/** The value formatter of a `codec` option. @throws TypeError naming an unknown codec. */
function formatterOf(codec: TableDiffOptions["codec"]): ValueFormatter {
  if (codec === undefined) return (value) => printable(value);
  const byColumn = new Map<string, CodecName>();
  let all: CodecName | undefined;
  if (typeof codec === "string") {
    if (!isCodecName(codec)) throw new TypeError(`diffTables: codec ${JSON.stringify(codec)} is not a codec name (int64, double, string, ...)`);
    all = codec;
  } else if (codec !== null && typeof codec === "object" && !Array.isArray(codec)) {
    for (const [column, name] of Object.entries(codec)) {
      if (!isCodecName(name)) throw new TypeError(`diffTables: codec ${JSON.stringify(name)} of column ${JSON.stringify(column)} is not a codec name`);
      byColumn.set(column, name);
    }
  } else {
    throw new TypeError("diffTables: codec must be a codec name or { \"family:qualifier\": codec name }");
  }
  return (value, family, qualifier) => {
    const name = all ?? byColumn.get(`${printable(family)}:${printable(qualifier)}`);
    if (name === undefined) return printable(value);
    try {
      const decoded: unknown = codecByName(name).decode(value);
      if (typeof decoded === "string") return decoded;
      if (decoded instanceof Uint8Array) return printable(decoded);
      return typeof decoded === "object" && decoded !== null ? JSON.stringify(decoded) : String(decoded);
    } catch {
      return printable(value);
    }
  };
}

/** One version of a cell: its timestamp and value. */
export interface CellVersion {
  readonly timestamp: number;
  readonly value: Uint8Array;
}

/** A cell the two tables differ by. */
export interface CellDifference {
  /** "added": only in the other table; "removed": only in the reference; "changed": another value. */
  readonly kind: "added" | "removed" | "changed";
  readonly row: Uint8Array;
  readonly family: Uint8Array;
  readonly qualifier: Uint8Array;
  /** The reference table's cell (removed, changed). */
  readonly old?: CellVersion;
  /** The other table's cell (added, changed). */
  readonly new?: CellVersion;
}

/** How many cells and rows fell where. */
export interface TableDiffCounts {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  /** Cells equal in both tables. */
  readonly unchanged: number;
  /** Cells read from the reference table. */
  readonly referenceCells: number;
  /** Cells read from the other table. */
  readonly otherCells: number;
  /** Rows with at least one difference. */
  readonly rowsWithDifferences: number;
}

/** What {@link diffTables} found. */
export class TableDiff {
  /**
   * @param reference the name of the reference table ("namespace:name")
   * @param other the name of the table compared with it
   * @param counts every difference counted
   * @param differences the first differences, in table order (row, family, qualifier, newest first)
   * @param limit how many differences were kept at most
   * @param format how values are shown (default: UTF-8 where printable, else `\xNN` escapes)
   */
  constructor(
    readonly reference: string,
    readonly other: string,
    readonly counts: TableDiffCounts,
    readonly differences: readonly CellDifference[],
    readonly limit: number,
    private readonly format: ValueFormatter = (value) => printable(value),
  ) {}

  /** True when no cell differs. */
  get identical(): boolean {
    return this.counts.added + this.counts.removed + this.counts.changed === 0;
  }

  /** True when there were more differences than were kept. */
  get truncated(): boolean {
    return this.counts.added + this.counts.removed + this.counts.changed > this.differences.length;
  }

  /** One line: the counts. */
  get summary(): string {
    const c = this.counts;
    const what = `${this.reference} → ${this.other}`;
    if (this.identical) return `${what}: identical (${c.unchanged} cells)`;
    return (
      `${what}: ${c.added} added, ${c.removed} removed, ${c.changed} changed, ${c.unchanged} unchanged ` +
      `(${c.rowsWithDifferences} row${c.rowsWithDifferences === 1 ? "" : "s"} differ)`
    );
  }

  /** The differences as text rows: change, row, column, timestamp ("old → new" when they differ), old value, new value. */
  rows(): string[][] {
    return this.differences.map((d) => {
      const value = (v: CellVersion | undefined): string => (v === undefined ? "" : this.format(v.value, d.family, d.qualifier));
      const timestamp =
        d.old !== undefined && d.new !== undefined && d.old.timestamp !== d.new.timestamp
          ? `${d.old.timestamp} → ${d.new.timestamp}`
          : String((d.old ?? d.new)!.timestamp);
      return [d.kind, printable(d.row), `${printable(d.family)}:${printable(d.qualifier)}`, timestamp, value(d.old), value(d.new)];
    });
  }

  /** The JSON form (keys as text, values shown as in {@link TableDiff.rows}). */
  toJSON(): { reference: string; other: string; identical: boolean; counts: TableDiffCounts; truncated: boolean; differences: { kind: string; row: string; column: string; old?: { timestamp: number; value: string }; new?: { timestamp: number; value: string } }[] } {
    return {
      reference: this.reference,
      other: this.other,
      identical: this.identical,
      counts: { ...this.counts },
      truncated: this.truncated,
      differences: this.differences.map((d) => {
        const version = (v: CellVersion | undefined) => (v === undefined ? undefined : { timestamp: v.timestamp, value: this.format(v.value, d.family, d.qualifier) });
        const entry: { kind: string; row: string; column: string; old?: { timestamp: number; value: string }; new?: { timestamp: number; value: string } } = {
          kind: d.kind,
          row: printable(d.row),
          column: `${printable(d.family)}:${printable(d.qualifier)}`,
        };
        const o = version(d.old);
        const n = version(d.new);
        if (o !== undefined) entry.old = o;
        if (n !== undefined) entry.new = n;
        return entry;
      }),
    };
  }

  toString(): string {
    return String(this.bundle()["text/plain"]);
  }

  /** The mime bundle: an HTML table and a text table (summary, then the first differences) and the JSON form. */
  bundle(): MimeBundle {
    const more = this.truncated ? `; the first ${this.differences.length} shown` : "";
    const caption = `${this.summary}${more}`;
    if (this.identical) {
      return { "text/html": `<p>${escapeHtml(caption)}</p>`, "text/plain": caption, [TABLE_DIFF_MIME]: this.toJSON() };
    }
    const table = tableBundle({ columns: ["change", "row", "column", "timestamp", "old value", "new value"], rows: this.rows(), caption });
    return { ...table.data, [TABLE_DIFF_MIME]: this.toJSON() };
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return this.bundle();
  }
}

/** Per-row cell order: family, qualifier ascending, timestamp descending (HBase's). */
function compareCells(a: Cell, b: Cell): number {
  return compareBytes(a.family, b.family) || compareBytes(a.qualifier, b.qualifier) || b.timestamp - a.timestamp;
}

function sameColumn(a: Cell, b: Cell): boolean {
  return equalBytes(a.family, b.family) && equalBytes(a.qualifier, b.qualifier);
}

function tableLabel(table: Table): string {
  return table.name.namespace === "default" ? table.name.name : `${table.name.namespace}:${table.name.name}`;
}

function checkOptions(options: TableDiffOptions): { limit: number; maxVersions: number; ignoreTimestamps: boolean; rowsOfOther: boolean } {
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw new TypeError("diffTables: options must be an object");
  const limit = options.limit ?? 100;
  if (!(Number.isInteger(limit) && limit >= 0) && limit !== Infinity) throw new RangeError(`diffTables: limit must be an integer ≥ 0 (or Infinity), got ${String(options.limit)}`);
  const ignoreTimestamps = options.ignoreTimestamps ?? false;
  if (typeof ignoreTimestamps !== "boolean") throw new TypeError(`diffTables: ignoreTimestamps must be true or false, got ${String(options.ignoreTimestamps)}`);
  let maxVersions = options.maxVersions ?? Number.MAX_SAFE_INTEGER;
  if (maxVersions === Infinity) maxVersions = Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(maxVersions) || maxVersions < 1) throw new RangeError(`diffTables: maxVersions must be an integer ≥ 1, got ${String(options.maxVersions)}`);
  if (ignoreTimestamps) {
    if (options.maxVersions !== undefined && options.maxVersions !== 1) throw new RangeError(`diffTables: ignoreTimestamps compares the latest version only; maxVersions must be 1 or left out, got ${String(options.maxVersions)}`);
    maxVersions = 1;
  }
  if (options.columns !== undefined && (!Array.isArray(options.columns) || options.columns.some((c) => typeof c !== "string" || c.length === 0))) {
    throw new TypeError("diffTables: columns must be an array of \"family\" or \"family:qualifier\" strings");
  }
  const scope = options.scope ?? "all";
  if (scope !== "all" && scope !== "rowsOfOther") throw new TypeError(`diffTables: scope must be "all" or "rowsOfOther", got ${JSON.stringify(options.scope)}`);
  return { limit, maxVersions, ignoreTimestamps, rowsOfOther: scope === "rowsOfOther" };
}

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === "object" && typeof (value as Table).scan === "function" && typeof (value as Table).name === "object";
}

/**
 * Compares two tables cell by cell: a cell only in `other` is "added", only in `reference` "removed",
 * and one at the same (row, family, qualifier, timestamp) with another value "changed" (with
 * `ignoreTimestamps`, the latest values of each column are compared instead). Region boundaries do not
 * matter: both tables are read in row order. Memory holds one row of each table and the first `limit`
 * differences.
 * @throws TypeError/RangeError for bad arguments; the tables' own errors (e.g. a family in `columns` one
 *   table does not have) with the table named.
 * @example
 * ```ts
 * const diff = await diffTables(hbase.table("counts"), hbase.table("counts_replayed"), { limit: 20 });
 * diff.counts.changed; // and a cell ending in `diff` shows the differences as a table
 * ```
 */
export async function diffTables(reference: Table, other: Table, options: TableDiffOptions = {}): Promise<TableDiff> {
  if (!isTable(reference) || !isTable(other)) throw new TypeError("diffTables(reference, other) takes two tables: connection.table(name)");
  const { limit, maxVersions, ignoreTimestamps, rowsOfOther } = checkOptions(options);
  const format = formatterOf(options.codec);
  const scan: ScanOptions = { maxVersions };
  if (options.columns !== undefined) scan.columns = options.columns;
  if (options.prefix !== undefined) scan.prefix = options.prefix;
  if (options.startRow !== undefined) scan.startRow = options.startRow;
  if (options.stopRow !== undefined) scan.stopRow = options.stopRow;
  if (options.timeRange !== undefined) scan.timeRange = options.timeRange;

  const differences: CellDifference[] = [];
  const counts = { added: 0, removed: 0, changed: 0, unchanged: 0, referenceCells: 0, otherCells: 0, rowsWithDifferences: 0 };
  const note = (d: CellDifference): void => {
    counts[d.kind]++;
    if (differences.length < limit) differences.push(d);
  };
  const left = rowsOfTable(reference, scan);
  const right = rowsOfTable(other, scan);
  try {
    let a = await left.next();
    let b = await right.next();
    while (a !== undefined || b !== undefined) {
      const order = a === undefined ? 1 : b === undefined ? -1 : compareBytes(a.row, b.row);
      const before = counts.added + counts.removed + counts.changed;
      if (order < 0 && rowsOfOther) {
        a = await left.next();
      } else if (order < 0) {
        for (const cell of a!.cells) note({ kind: "removed", row: a!.row, family: cell.family, qualifier: cell.qualifier, old: versionOf(cell) });
        counts.referenceCells += a!.cells.length;
        a = await left.next();
      } else if (order > 0) {
        for (const cell of b!.cells) note({ kind: "added", row: b!.row, family: cell.family, qualifier: cell.qualifier, new: versionOf(cell) });
        counts.otherCells += b!.cells.length;
        b = await right.next();
      } else {
        counts.referenceCells += a!.cells.length;
        counts.otherCells += b!.cells.length;
        compareRow(a!.row, a!.cells, b!.cells, ignoreTimestamps, note, () => counts.unchanged++);
        a = await left.next();
        b = await right.next();
      }
      if (counts.added + counts.removed + counts.changed > before) counts.rowsWithDifferences++;
    }
  } finally {
    await Promise.all([left.close(), right.close()]);
  }
  return new TableDiff(tableLabel(reference), tableLabel(other), counts, differences, limit, format);
}

function versionOf(cell: Cell): CellVersion {
  return { timestamp: cell.timestamp, value: cell.value };
}

/** Merges the sorted cells of one row present in both tables. */
function compareRow(
  row: Uint8Array,
  left: readonly Cell[],
  right: readonly Cell[],
  ignoreTimestamps: boolean,
  note: (d: CellDifference) => void,
  same: () => void,
): void {
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const a = left[i];
    const b = right[j];
    let order: number;
    if (a === undefined) order = 1;
    else if (b === undefined) order = -1;
    else order = ignoreTimestamps ? compareBytes(a.family, b.family) || compareBytes(a.qualifier, b.qualifier) : compareCells(a, b);
    if (order < 0) {
      note({ kind: "removed", row, family: a!.family, qualifier: a!.qualifier, old: versionOf(a!) });
      i++;
    } else if (order > 0) {
      note({ kind: "added", row, family: b!.family, qualifier: b!.qualifier, new: versionOf(b!) });
      j++;
    } else {
      if (equalBytes(a!.value, b!.value)) same();
      else note({ kind: "changed", row, family: a!.family, qualifier: a!.qualifier, old: versionOf(a!), new: versionOf(b!) });
      i++;
      j++;
      if (ignoreTimestamps) {
        // One version per column is expected; skip any further ones of the same column on either side.
        while (i < left.length && sameColumn(left[i]!, a!)) i++;
        while (j < right.length && sameColumn(right[j]!, b!)) j++;
      }
    }
  }
}

/** A table's rows in order, each with its value cells sorted; the error of a failed read names the table. */
function rowsOfTable(table: Table, scan: ScanOptions): { next(): Promise<RowResult | undefined>; close(): Promise<void> } {
  const label = tableLabel(table);
  let iterator: AsyncIterator<RowResult> | undefined;
  let finished = false;
  return {
    async next() {
      if (finished) return undefined;
      try {
        iterator ??= table.scan(scan)[Symbol.asyncIterator]();
        const step = await iterator.next();
        if (step.done === true) {
          finished = true;
          return undefined;
        }
        const cells = step.value.cells.filter((c) => c.type === "put").sort(compareCells);
        return { row: step.value.row, cells };
      } catch (error) {
        finished = true;
        throw new Error(`diffTables: reading table ${label} failed: ${(error as Error).message}`, { cause: error });
      }
    },
    async close() {
      if (!finished && iterator?.return !== undefined) {
        finished = true;
        await iterator.return().catch(() => undefined);
      }
    },
  };
}
