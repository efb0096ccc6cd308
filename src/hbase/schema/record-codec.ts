/**
 * A schema compiled for use: records to `Put`s (checked field by field) and rows (`RowResult`s) to
 * records (decoded cell by cell, each failure reported with its coordinates).
 */
import { CodecError, describeValue } from "../bytes/codec.js";
import { codecByName } from "../bytes/value-codecs.js";
import type { CodecName, CodecOf } from "../bytes/value-codecs.js";
import type { RowResult } from "../model/row-result.js";
import { printable } from "../result.js";
import type { Put } from "../table.js";
import { RecordEncodeError } from "./record-encode-error.js";
import type { RecordInput, RecordOf } from "./record-types.js";
import { SchemaDecodeError } from "./schema-decode-error.js";
import type { SchemaSpec } from "./schema-spec.js";
import { ROW_KEY_FIELD, validateSchema } from "./validate-schema.js";

const utf8 = new TextEncoder();

/** One mapped column. */
interface Field {
  readonly family: string;
  readonly qualifier: string;
  readonly familyBytes: Uint8Array;
  readonly qualifierBytes: Uint8Array;
  readonly codecName: CodecName;
  readonly codec: CodecOf<CodecName>;
}

/** Bytes as a string of one char per byte (an exact map key). */
function byteKey(bytes: Uint8Array): string {
  let key = "";
  for (let i = 0; i < bytes.length; i++) key += String.fromCharCode(bytes[i]!);
  return key;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Sets an own enumerable property (also for keys such as "__proto__"). */
function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Whether an empty value of this codec means "null": Flink's HBase connector writes null as empty bytes
 * for every type but strings, so an empty value of a number, boolean or JSON field reads as absent.
 * Empty strings and empty byte strings are values.
 */
function emptyIsNull(codec: CodecName): boolean {
  return codec !== "string" && codec !== "bytes";
}

/** Options of {@link RecordCodec.decode}. */
export interface DecodeOptions {
  /**
   * Receives each value that does not decode; the record is then still returned, without that field (or,
   * when the row key does not decode, the row is left out). Without it, the first such value throws.
   */
  onDecodeError?: ((error: SchemaDecodeError) => void) | undefined;
}

/** A schema compiled for encoding records and decoding rows of one table. */
export class RecordCodec<S extends SchemaSpec> {
  /** The mapped columns, in schema order, as `{ family, qualifier }` column selections. */
  readonly columns: readonly { readonly family: string; readonly qualifier: string }[];
  private readonly rowCodec: CodecOf<CodecName>;
  private readonly fields: readonly Field[];
  /** family bytes → qualifier bytes → field. */
  private readonly lookup = new Map<string, Map<string, Field>>();
  private readonly familyNames: readonly string[];

  /**
   * @param spec the schema (validated here)
   * @param table the table's name, for error messages
   * @throws TypeError when the schema is malformed
   */
  constructor(
    readonly spec: S,
    readonly table: string,
  ) {
    validateSchema(spec, undefined, `table ${table}: schema`);
    this.rowCodec = codecByName(spec.rowKey);
    const fields: Field[] = [];
    for (const [family, qualifiers] of Object.entries(spec.families)) {
      const familyBytes = utf8.encode(family);
      const byQualifier = new Map<string, Field>();
      this.lookup.set(byteKey(familyBytes), byQualifier);
      for (const [qualifier, codecName] of Object.entries(qualifiers)) {
        const field: Field = { family, qualifier, familyBytes, qualifierBytes: utf8.encode(qualifier), codecName, codec: codecByName(codecName) };
        fields.push(field);
        byQualifier.set(byteKey(field.qualifierBytes), field);
      }
    }
    this.fields = fields;
    this.familyNames = Object.keys(spec.families);
    this.columns = fields.map((f) => ({ family: f.family, qualifier: f.qualifier }));
  }

  /**
   * The bytes of a row key.
   * @throws RecordEncodeError naming the field (`rowKey`, or `label`) when the value does not encode or is empty
   */
  encodeRowKey(value: unknown, label: string = ROW_KEY_FIELD): Uint8Array {
    const bytes = this.encodeKeyValue(value, label);
    if (bytes.length === 0) throw new RecordEncodeError(this.table, label, this.spec.rowKey, "a value with a non-empty encoding (HBase row keys are not empty)", describeValue(value));
    return bytes;
  }

  /**
   * The bytes of a scan bound (`startRow`, `stopRow`, `prefix`): a `Uint8Array` is taken as the raw
   * bytes, anything else is encoded with the row-key codec.
   * @throws RecordEncodeError naming the option when the value does not encode
   */
  encodeRowBound(value: unknown, label: string): Uint8Array {
    return value instanceof Uint8Array ? value : this.encodeKeyValue(value, label);
  }

  private encodeKeyValue(value: unknown, label: string): Uint8Array {
    try {
      return this.rowCodec.encode(value as never);
    } catch (error) {
      throw this.encodeError(label, this.spec.rowKey, error);
    }
  }

  /**
   * The `Put` that writes `record`: one cell per field given (fields omitted or `undefined` are not
   * written; the table's existing cells stay, as with any put).
   * @throws RecordEncodeError naming the field whose value does not encode, a field or family the schema
   *   does not map, a missing row key, or a record with no field to write
   */
  toPut(record: RecordInput<S>, timestamp?: number): Put {
    if (!isPlainObject(record)) {
      throw new RecordEncodeError(this.table, "(record)", "", "a record { rowKey, family: { qualifier: value } }", describeValue(record));
    }
    if (record[ROW_KEY_FIELD] === undefined) throw new RecordEncodeError(this.table, ROW_KEY_FIELD, "", "a row key (the record's rowKey field)", "undefined");
    const row = this.encodeRowKey(record[ROW_KEY_FIELD]);
    const cells: { family: Uint8Array; qualifier: Uint8Array; value: Uint8Array }[] = [];
    for (const key of Object.keys(record)) {
      if (key === ROW_KEY_FIELD) continue;
      const familyValue = record[key];
      const byQualifier = Object.prototype.hasOwnProperty.call(this.spec.families, key) ? this.lookup.get(byteKey(utf8.encode(key))) : undefined;
      if (byQualifier === undefined) {
        throw new RecordEncodeError(this.table, key, "", `a family of the schema (${this.familyNames.join(", ")}) or rowKey`, `an unmapped field "${key}"`);
      }
      if (familyValue === undefined) continue;
      if (!isPlainObject(familyValue)) {
        throw new RecordEncodeError(this.table, key, "", "an object { qualifier: value } for the family", describeValue(familyValue));
      }
      for (const qualifier of Object.keys(familyValue)) {
        const field = byQualifier.get(byteKey(utf8.encode(qualifier)));
        const label = `${key}.${qualifier}`;
        if (field === undefined || !Object.prototype.hasOwnProperty.call(this.spec.families[key], qualifier)) {
          const known = Object.keys(this.spec.families[key]!).join(", ");
          throw new RecordEncodeError(this.table, label, "", `a qualifier of family ${key} in the schema (${known})`, `an unmapped field "${qualifier}"`);
        }
        const value = familyValue[qualifier];
        if (value === undefined) continue;
        let bytes: Uint8Array;
        try {
          bytes = field.codec.encode(value as never);
        } catch (error) {
          throw this.encodeError(label, field.codecName, error);
        }
        cells.push({ family: field.familyBytes, qualifier: field.qualifierBytes, value: bytes });
      }
    }
    if (cells.length === 0) {
      throw new RecordEncodeError(this.table, "(record)", "", "at least one field value to write", `a record of row ${JSON.stringify(printable(row))} with none`);
    }
    return timestamp === undefined ? { row, cells } : { row, cells, timestamp };
  }

  /**
   * The record of a row: `rowKey`, and one object per schema family (empty when the row has no cells
   * there) holding the latest version of each mapped qualifier the row has. Cells of unmapped families
   * and qualifiers are ignored. An empty value of a non-string, non-bytes field reads as absent (Flink's
   * encoding of null).
   * @returns undefined only when the row key does not decode and `onDecodeError` took the error
   * @throws SchemaDecodeError for the first value that does not decode, unless `onDecodeError` is given
   */
  decode(result: RowResult, options: DecodeOptions = {}): RecordOf<S> | undefined {
    const { onDecodeError } = options;
    let rowKey: unknown;
    try {
      rowKey = this.rowCodec.decode(result.row);
    } catch (error) {
      const decodeError = new SchemaDecodeError(
        { table: this.table, row: printable(result.row), rowBytes: result.row, family: undefined, qualifier: undefined, timestamp: undefined, expected: this.spec.rowKey, bytes: result.row },
        error,
      );
      if (onDecodeError === undefined) throw decodeError;
      onDecodeError(decodeError);
      return undefined;
    }
    const record: Record<string, unknown> = { [ROW_KEY_FIELD]: rowKey };
    const families = new Map<string, Record<string, unknown>>();
    for (const family of this.familyNames) {
      const object: Record<string, unknown> = {};
      families.set(family, object);
      setField(record, family, object);
    }
    let previous: Field | undefined;
    for (const cell of result.cells) {
      if (cell.type !== "put") continue;
      const field = this.lookup.get(byteKey(cell.family))?.get(byteKey(cell.qualifier));
      // Cells come family, qualifier, newest first: the first cell of a column is its latest version.
      if (field === undefined || field === previous) continue;
      previous = field;
      if (cell.value.length === 0 && emptyIsNull(field.codecName)) continue;
      let value: unknown;
      try {
        value = field.codec.decode(cell.value);
        // Stores may hand out Buffers: a "bytes" field is a plain Uint8Array view (no copy).
        if (value instanceof Uint8Array && value.constructor !== Uint8Array) value = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      } catch (error) {
        const decodeError = new SchemaDecodeError(
          {
            table: this.table,
            row: printable(result.row),
            rowBytes: result.row,
            family: field.family,
            qualifier: field.qualifier,
            timestamp: cell.timestamp,
            expected: field.codecName,
            bytes: cell.value,
          },
          error,
        );
        if (onDecodeError === undefined) throw decodeError;
        onDecodeError(decodeError);
        continue;
      }
      setField(families.get(field.family)!, field.qualifier, value);
    }
    return record as RecordOf<S>;
  }

  private encodeError(field: string, codec: CodecName, error: unknown): Error {
    if (error instanceof CodecError) return new RecordEncodeError(this.table, field, codec, error.expected, error.actual);
    return error instanceof Error ? error : new Error(String(error));
  }
}
