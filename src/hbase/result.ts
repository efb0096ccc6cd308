/**
 * What gets and scans return: one row's cells with typed getters (`result.get("d:price", "double")`),
 * and a notebook rendering as a table (row, column, timestamp, value) through the display layer.
 */
import { tableBundle } from "../display/table-bundle.js";
import type { FormattedValue } from "../display/mime-bundles.js";
import type { MimeBundle } from "../protocol/message.js";
import { compareBytes, equalBytes, toBytes, toStringBinary } from "./bytes/bytes.js";
import { CodecError } from "./bytes/codec.js";
import { codecByName, type CodecName, type CodecValue } from "./bytes/value-codecs.js";
import type { Cell } from "./model/cell.js";
import type { RowResult } from "./model/row-result.js";

const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes as text: UTF-8 when they are printable UTF-8, else HBase's `toStringBinary`. */
export function printable(bytes: Uint8Array): string {
  try {
    const text = utf8.decode(bytes);
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return text;
  } catch {
    // not UTF-8
  }
  return toStringBinary(bytes);
}

/** Splits "family:qualifier" (the qualifier may be empty or contain ':'). */
export function parseColumn(column: string): { family: Uint8Array; qualifier: Uint8Array } {
  const colon = column.indexOf(":");
  if (colon <= 0) throw new TypeError(`column must be written "family:qualifier", got ${JSON.stringify(column)}`);
  return { family: toBytes(column.slice(0, colon)), qualifier: toBytes(column.slice(colon + 1)) };
}

function columnName(cell: Cell): string {
  return `${printable(cell.family)}:${printable(cell.qualifier)}`;
}

/** One row as a get or scan returns it. */
export class Result implements RowResult {
  /**
   * @param row the row key
   * @param cells the row's cells in HBase order (family, qualifier, timestamp descending)
   */
  constructor(
    readonly row: Uint8Array,
    readonly cells: readonly Cell[],
  ) {}

  /** The row key as text (UTF-8, or `\xNN` escapes for other bytes). */
  get rowKey(): string {
    return printable(this.row);
  }

  private versionsOf(column: string): Cell[] {
    const { family, qualifier } = parseColumn(column);
    return this.cells.filter((c) => c.type === "put" && equalBytes(c.family, family) && equalBytes(c.qualifier, qualifier));
  }

  /** Whether the row has a value in `column` ("family:qualifier"). */
  has(column: string): boolean {
    return this.versionsOf(column).length > 0;
  }

  /** The latest value of `column` as bytes, or undefined. */
  getBytes(column: string): Uint8Array | undefined {
    return this.versionsOf(column)[0]?.value;
  }

  /**
   * The latest value of `column` decoded with a codec, or undefined when the row has no such column.
   * @throws CodecError naming the row, column and timestamp when the bytes do not decode
   */
  get<N extends CodecName>(column: string, codec: N): CodecValue<N> | undefined {
    const cell = this.versionsOf(column)[0];
    if (!cell) return undefined;
    try {
      return codecByName(codec).decode(cell.value) as CodecValue<N>;
    } catch (error) {
      if (error instanceof CodecError) {
        throw new CodecError(error.codec, error.expected, `${error.actual} in row "${this.rowKey}", column ${column}, timestamp ${cell.timestamp}`);
      }
      throw error;
    }
  }

  /** Every version of `column` returned, newest first. */
  versions(column: string): { timestamp: number; value: Uint8Array }[] {
    return this.versionsOf(column).map((c) => ({ timestamp: c.timestamp, value: c.value }));
  }

  /** The row's columns, "family:qualifier", in order. */
  columns(): string[] {
    return [...new Set(this.cells.map(columnName))];
  }

  /** A table of the row's cells. */
  toBundle(): FormattedValue {
    return tableBundle({
      columns: ["row", "column", "timestamp", "value"],
      rows: this.cells.map((c) => [this.rowKey, columnName(c), String(c.timestamp), printable(c.value)]),
      caption: `row "${this.rowKey}": ${this.cells.length} cell${this.cells.length === 1 ? "" : "s"}`,
    });
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return this.toBundle().data;
  }
}

/** Rows of a scan, collected: iterable, and shown as one table in a notebook. */
export class ResultSet implements Iterable<Result> {
  constructor(readonly rows: readonly Result[]) {}

  get length(): number {
    return this.rows.length;
  }

  [Symbol.iterator](): Iterator<Result> {
    return this.rows[Symbol.iterator]();
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    const rows = this.rows.flatMap((r) => r.cells.map((c) => [r.rowKey, columnName(c), String(c.timestamp), printable(c.value)]));
    return tableBundle({
      columns: ["row", "column", "timestamp", "value"],
      rows,
      caption: `${this.rows.length} row${this.rows.length === 1 ? "" : "s"}, ${rows.length} cell${rows.length === 1 ? "" : "s"}`,
    }).data;
  }
}

/** Reads a scan to the end (or `limit` rows) into a ResultSet. */
export async function collectRows(rows: AsyncIterable<RowResult>, limit = Infinity): Promise<ResultSet> {
  const out: Result[] = [];
  for await (const r of rows) {
    if (out.length >= limit) break;
    out.push(r instanceof Result ? r : new Result(r.row, r.cells));
  }
  return new ResultSet(out);
}

/** Orders results by row key (HBase order). */
export function byRow(a: RowResult, b: RowResult): number {
  return compareBytes(a.row, b.row);
}
