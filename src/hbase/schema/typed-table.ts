/**
 * A typed view of a table: gets and scans yield records, puts take records, as a {@link SchemaSpec}
 * maps them. Built only on the {@link Table} interface, so it works with every backend.
 */
import type { ColumnRef, Connection, GetOptions, Mutation, Put, ScanOptions, Table, TableRef } from "../table.js";
import type { TableName } from "../model/table-descriptor.js";
import { RecordCodec } from "./record-codec.js";
import type { RecordInput, RecordOf, RowKeyOf } from "./record-types.js";
import type { SchemaDecodeError } from "./schema-decode-error.js";
import type { SchemaSpec } from "./schema-spec.js";
import { sameSchema } from "./same-schema.js";

/** Options every typed read takes. */
export interface TypedReadOptions {
  /**
   * Receives each stored value that does not decode with its field's codec (a {@link SchemaDecodeError}
   * naming table, row, column, timestamp, expected type and bytes); the record is then still yielded
   * without that field, and a row whose key does not decode is left out. Without this option the read
   * throws the first such error.
   */
  onDecodeError?: (error: SchemaDecodeError) => void;
}

/**
 * Options of a typed get: those of {@link GetOptions} but `maxVersions` (a record holds each column's
 * latest version). `columns` defaults to the schema's columns.
 */
export interface TypedGetOptions extends Omit<GetOptions, "maxVersions">, TypedReadOptions {}

/**
 * Options of a typed scan: those of {@link ScanOptions} but `maxVersions`; the row bounds and prefix are
 * row keys of the schema's type (encoded with its row-key codec) or raw bytes (`Uint8Array`).
 * `columns` defaults to the schema's columns.
 */
export interface TypedScanOptions<S extends SchemaSpec> extends Omit<ScanOptions, "maxVersions" | "startRow" | "stopRow" | "prefix">, TypedReadOptions {
  startRow?: RowKeyOf<S> | Uint8Array;
  stopRow?: RowKeyOf<S> | Uint8Array;
  prefix?: RowKeyOf<S> | Uint8Array;
}

/** Options of typed puts. */
export interface TypedPutOptions {
  /** The cells' timestamp (ms); default: server time. */
  timestamp?: number;
}

function tableLabel(name: TableName): string {
  return name.namespace === "default" ? name.name : `${name.namespace}:${name.name}`;
}

/**
 * Records of one table. Reads select only the schema's columns and yield, per row, `rowKey` and one
 * object per family of the schema with the latest version of each mapped qualifier the row has:
 * - a column the row lacks is an absent (`undefined`) field; a family with no cells is `{}`;
 * - a row with none of the schema's columns is not returned (as in HBase, a row is its cells);
 * - families and qualifiers the schema does not map are ignored (as in Flink's HBase connector);
 * - an empty value of a number, boolean or JSON field reads as absent (Flink writes null so);
 * - a value that does not decode is never dropped silently: it throws a {@link SchemaDecodeError}, or
 *   goes to `onDecodeError`.
 */
export class TypedTable<S extends SchemaSpec> {
  private readonly codec: RecordCodec<S>;

  /**
   * @param table the byte-level table
   * @param schema its schema (validated here)
   */
  constructor(
    readonly table: Table,
    readonly schema: S,
  ) {
    this.codec = new RecordCodec(schema, tableLabel(table.name));
  }

  /** The table's name. */
  get name(): TableName {
    return this.table.name;
  }

  /** The record of one row, or undefined when the row has none of the schema's columns. */
  async get(rowKey: RowKeyOf<S>, options: TypedGetOptions = {}): Promise<RecordOf<S> | undefined> {
    const row = this.codec.encodeRowKey(rowKey);
    const { onDecodeError, ...get } = options;
    const result = await this.table.get(row, this.readOptions(get));
    return result === undefined ? undefined : this.codec.decode(result, { onDecodeError });
  }

  /** The records of several rows, in the order given (undefined for rows without the schema's columns). */
  async getMany(rowKeys: readonly RowKeyOf<S>[], options: TypedGetOptions = {}): Promise<(RecordOf<S> | undefined)[]> {
    const rows = rowKeys.map((key, i) => this.codec.encodeRowKey(key, `rowKeys[${i}]`));
    const { onDecodeError, ...get } = options;
    const results = await this.table.getMany(rows, this.readOptions(get));
    return results.map((result) => (result === undefined ? undefined : this.codec.decode(result, { onDecodeError })));
  }

  /** The records of a scan, read as the consumer pulls (the table's scan, decoded row by row). */
  scan(options: TypedScanOptions<S> = {}): AsyncIterable<RecordOf<S>> {
    const scan = this.scanOptions(options);
    const { onDecodeError } = options;
    const { table, codec } = this;
    return {
      async *[Symbol.asyncIterator]() {
        for await (const result of table.scan(scan)) {
          const record = codec.decode(result, { onDecodeError });
          if (record !== undefined) yield record;
        }
      },
    };
  }

  /** The number of rows a typed scan with these options visits (rows with at least one schema column). */
  count(options: TypedScanOptions<S> = {}): Promise<number> {
    return this.table.count(this.scanOptions(options));
  }

  /**
   * The `Put` that writes `record` (for a buffered mutator or `mutateRow`): one cell per field given.
   * @throws RecordEncodeError (a CodecError) naming the field that does not encode
   */
  toMutation(record: RecordInput<S>, options: TypedPutOptions = {}): Put {
    return this.codec.toPut(record, options.timestamp);
  }

  /** Writes one record (fields omitted are not written; other cells of the row stay). */
  async put(record: RecordInput<S>, options: TypedPutOptions = {}): Promise<void> {
    await this.table.put(this.toMutation(record, options));
  }

  /** Writes records; every record is encoded first, so a bad one writes nothing. */
  async putMany(records: readonly RecordInput<S>[], options: TypedPutOptions = {}): Promise<void> {
    const puts = records.map((record) => this.toMutation(record, options));
    await this.table.putMany(puts);
  }

  /**
   * Deletes every version of the schema's columns in one row, atomically; columns the schema does not
   * map stay. Afterwards `get(rowKey)` is undefined.
   */
  async delete(rowKey: RowKeyOf<S>): Promise<void> {
    const row = this.codec.encodeRowKey(rowKey);
    const mutations: Mutation[] = this.codec.columns.map((c) => ({ kind: "delete", row, family: c.family, qualifier: c.qualifier }));
    await this.table.mutateRow(row, mutations);
  }

  private readOptions(options: Omit<TypedGetOptions, "onDecodeError">): GetOptions {
    return { ...options, columns: options.columns ?? (this.codec.columns as readonly ColumnRef[]), maxVersions: 1 };
  }

  private scanOptions(options: TypedScanOptions<S>): ScanOptions {
    const { onDecodeError: _ignored, startRow, stopRow, prefix, ...rest } = options;
    const scan: ScanOptions = { ...rest, columns: rest.columns ?? (this.codec.columns as readonly ColumnRef[]), maxVersions: 1 };
    if (startRow !== undefined) scan.startRow = this.codec.encodeRowBound(startRow, "startRow");
    if (stopRow !== undefined) scan.stopRow = this.codec.encodeRowBound(stopRow, "stopRow");
    if (prefix !== undefined) scan.prefix = this.codec.encodeRowBound(prefix, "prefix");
    return scan;
  }
}

/**
 * A typed view of `table` with `schema` (which need not be stored in the catalog).
 *
 * ```ts
 * const bids = typedTable(connection.table("bids"), schema({ rowKey: "string", families: { d: { price: "double" } } }));
 * await bids.put({ rowKey: "b1", d: { price: 9.5 } });
 * ```
 */
export function typedTable<S extends SchemaSpec>(table: Table, schema: S): TypedTable<S> {
  return new TypedTable(table, schema);
}

/**
 * A typed view of a table with the schema stored in its catalog entry (see `createTable(name,
 * { families, schema })` and `admin.setSchema`). With `expected`, the stored schema must be the same
 * (compared as data) and the view is typed by it.
 * @throws Error when the table does not exist, has no stored schema, or its schema differs from `expected`
 */
export async function typedTableOf(connection: Connection, table: TableRef): Promise<TypedTable<SchemaSpec>>;
export async function typedTableOf<S extends SchemaSpec>(connection: Connection, table: TableRef, expected: S): Promise<TypedTable<S>>;
export async function typedTableOf(connection: Connection, table: TableRef, expected?: SchemaSpec): Promise<TypedTable<SchemaSpec>> {
  const descriptor = await connection.admin.describeTable(table);
  const label = tableLabel(descriptor.table);
  const stored = descriptor.schema;
  if (stored === undefined) {
    throw new Error(`table ${label} has no stored schema: give one with createTable(name, { families, schema }) or admin.setSchema(table, schema), or use typedTable(table, schema)`);
  }
  if (expected !== undefined && !sameSchema(stored, expected)) {
    throw new Error(`table ${label}: its stored schema ${JSON.stringify(stored)} differs from the one given, ${JSON.stringify(expected)}`);
  }
  return new TypedTable(connection.table(descriptor.table), expected ?? stored);
}
