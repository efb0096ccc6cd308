/**
 * `rowsOf(scan, schema?)`: HBase rows (`Result`s of a scan or get) as plain records, for charts and
 * tables — `chartOf(rowsOf(table.scan(...), schema), { x, y })` charts a table in one line (charts never
 * import HBase: they take any async iterable of records).
 */
import type { RowResult } from "../hbase/model/row-result.js";
import { printable } from "../hbase/result.js";
import { RecordCodec } from "../hbase/schema/record-codec.js";
import type { RecordOf } from "../hbase/schema/record-types.js";
import type { SchemaSpec } from "../hbase/schema/schema-spec.js";

/** A row without a schema: its key and, per family, each qualifier's latest value as text. */
export interface TextRecord {
  readonly rowKey: string;
  readonly [family: string]: string | { readonly [qualifier: string]: string };
}

type Rows = AsyncIterable<RowResult> | Iterable<RowResult>;

function isRows(value: unknown): value is Rows {
  if (value === null || typeof value !== "object") return false;
  const v = value as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown };
  return typeof v[Symbol.asyncIterator] === "function" || typeof v[Symbol.iterator] === "function";
}

/**
 * The rows as records. With a schema (the table's, see `schema()`), each row is decoded as a typed read
 * does it: `{ rowKey, <family>: { <qualifier>: value } }` with the schema's codecs, columns it does not
 * name left out. Without one, values are text (UTF-8 where printable, else `\xNN` escapes) and the
 * latest version of each column is taken. Rows are converted as they are read.
 * @throws TypeError when `rows` is not an (async) iterable of rows; a value the schema's codec cannot
 *   decode fails the iteration with a `SchemaDecodeError` naming row, column and timestamp.
 * @example
 * ```ts
 * await chartOf(rowsOf(hbase.table("bids").scan({ prefix: "auction-1#" }), bidSchema), { mark: "bar", x: "rowKey", y: "d.price" })
 * ```
 */
export function rowsOf<const S extends SchemaSpec>(rows: Rows, schema: S): AsyncIterable<RecordOf<S>>;
export function rowsOf(rows: Rows): AsyncIterable<TextRecord>;
export function rowsOf(rows: Rows, schema?: SchemaSpec): AsyncIterable<RecordOf<SchemaSpec> | TextRecord> {
  if (!isRows(rows)) throw new TypeError("rowsOf() takes the rows of a scan: rowsOf(table.scan(...)) or an array of Results");
  const codec = schema === undefined ? undefined : new RecordCodec(schema, "rowsOf");
  return {
    async *[Symbol.asyncIterator]() {
      for await (const row of rows as AsyncIterable<RowResult>) {
        if (codec !== undefined) {
          const record = codec.decode(row);
          if (record !== undefined) yield record;
        } else {
          yield textRecord(row);
        }
      }
    },
  };
}

function textRecord(row: RowResult): TextRecord {
  const record: Record<string, string | Record<string, string>> = {};
  for (const cell of row.cells) {
    if (cell.type !== "put") continue;
    const family = printable(cell.family);
    if (family === "rowKey") continue;
    let columns = record[family];
    if (columns === undefined || typeof columns === "string") {
      columns = {};
      Object.defineProperty(record, family, { value: columns, enumerable: true, writable: true, configurable: true });
    }
    const qualifier = printable(cell.qualifier);
    // Cells come newest first within a column: keep the first (latest) version.
    if (!Object.prototype.hasOwnProperty.call(columns, qualifier)) {
      Object.defineProperty(columns, qualifier, { value: printable(cell.value), enumerable: true, writable: true, configurable: true });
    }
  }
  return { rowKey: printable(row.row), ...record } as TextRecord;
}
