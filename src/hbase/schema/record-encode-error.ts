/** The error of a record field whose value the field's codec cannot encode. */
import { CodecError } from "../bytes/codec.js";

/**
 * A record that cannot be written: a field's value is not of its codec's type or range, a field or family
 * the schema does not map, or a malformed record. A {@link CodecError} (same `codec`, `expected`, `actual`)
 * whose message and `field` name the field ("rowKey", or "family.qualifier").
 */
export class RecordEncodeError extends CodecError {
  /**
   * @param table the table, for the message
   * @param field the field: "rowKey", "family" or "family.qualifier"
   */
  constructor(
    readonly table: string,
    readonly field: string,
    codec: string,
    expected: string,
    actual: string,
  ) {
    super(codec, expected, actual);
    this.message = `table ${table}, field ${field}: ${codec === "" ? "" : `${codec} codec: `}expected ${expected}, got ${actual}`;
  }
}
