/** The error of a stored cell (or row key) whose bytes do not decode with its schema field's codec. */
import type { CodecName } from "../bytes/value-codecs.js";

/** Bytes shown in hex at most; longer values are cut with "…". */
const SHOWN_BYTES = 16;

/** Bytes as short hex: `0x0102ff`, cut after 16 bytes with "…". */
export function shortHex(bytes: Uint8Array): string {
  const shown = bytes.subarray(0, SHOWN_BYTES);
  let hex = "0x";
  for (const b of shown) hex += b.toString(16).padStart(2, "0");
  return bytes.length > SHOWN_BYTES ? `${hex}…` : hex;
}

/** Where a value that did not decode is stored, and what was expected. */
export interface DecodeErrorCoordinates {
  /** The table, "name" or "namespace:name". */
  readonly table: string;
  /** The row key, printable (UTF-8, or `\xNN` escapes). */
  readonly row: string;
  /** The row key's bytes. */
  readonly rowBytes: Uint8Array;
  /** The family, or undefined when the row key itself did not decode. */
  readonly family: string | undefined;
  /** The qualifier, or undefined when the row key itself did not decode. */
  readonly qualifier: string | undefined;
  /** The cell's timestamp (ms), or undefined for the row key. */
  readonly timestamp: number | undefined;
  /** The codec the schema gives the field. */
  readonly expected: CodecName;
  /** The bytes that did not decode. */
  readonly bytes: Uint8Array;
}

/**
 * A cell whose value does not decode with the codec the schema gives its column (or a row key that does
 * not decode with the row-key codec). Names the table, row, `family:qualifier`, timestamp, expected type
 * and the bytes (short hex); `cause` is the codec's {@link CodecError}.
 */
export class SchemaDecodeError extends Error implements DecodeErrorCoordinates {
  override readonly name = "SchemaDecodeError";
  readonly table: string;
  readonly row: string;
  readonly rowBytes: Uint8Array;
  readonly family: string | undefined;
  readonly qualifier: string | undefined;
  readonly timestamp: number | undefined;
  readonly expected: CodecName;
  readonly bytes: Uint8Array;
  /** The bytes as short hex (`0x…`, cut after 16 bytes). */
  readonly hex: string;

  constructor(coordinates: DecodeErrorCoordinates, cause: unknown) {
    const where =
      coordinates.family === undefined
        ? `row key "${coordinates.row}"`
        : `row "${coordinates.row}", column ${coordinates.family}:${coordinates.qualifier ?? ""}, timestamp ${coordinates.timestamp}`;
    const hex = shortHex(coordinates.bytes);
    const reason = cause instanceof Error ? ` (${cause.message})` : "";
    super(`table ${coordinates.table}, ${where}: expected ${coordinates.expected}, got ${coordinates.bytes.length} byte${coordinates.bytes.length === 1 ? "" : "s"} ${hex}${reason}`, { cause });
    this.table = coordinates.table;
    this.row = coordinates.row;
    this.rowBytes = coordinates.rowBytes;
    this.family = coordinates.family;
    this.qualifier = coordinates.qualifier;
    this.timestamp = coordinates.timestamp;
    this.expected = coordinates.expected;
    this.bytes = coordinates.bytes;
    this.hex = hex;
  }

  /** "family:qualifier", or "(row key)". */
  get column(): string {
    return this.family === undefined ? "(row key)" : `${this.family}:${this.qualifier ?? ""}`;
  }
}
