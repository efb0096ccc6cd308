/**
 * RFC 4180 records: framing (a line feed inside a quoted field does not end the record) and parsing of
 * one record into its fields (quoted fields may hold delimiters, line breaks and doubled quotes).
 * Strict: a quote inside an unquoted field, or text after a closing quote, is a bad record.
 */
import { BadRecord } from "./bad-line-error.js";
import type { RecordFramer } from "./record-file-reader.js";

const QUOTE = 0x22;
const LF = 0x0a;

/** Frames CSV records: the record ends at the first line feed outside quotes. */
export class CsvFramer implements RecordFramer {
  private inQuotes = false;

  scan(buf: Uint8Array, from: number, to: number): number {
    let quoted = this.inQuotes;
    for (let i = from; i < to; i++) {
      const b = buf[i];
      if (b === QUOTE) quoted = !quoted;
      else if (b === LF && !quoted) {
        this.inQuotes = false;
        return i;
      }
    }
    this.inQuotes = quoted;
    return -1;
  }

  incompleteReason(): string | undefined {
    return this.inQuotes ? "unterminated quoted field at end of file" : undefined;
  }

  reset(): void {
    this.inQuotes = false;
  }
}

/**
 * The fields of one CSV record (`text` without its line terminator).
 *
 * @example
 * ```ts
 * parseCsvRecord('a,"b,c","say ""hi"""', ","); // ["a", "b,c", 'say "hi"']
 * ```
 */
export function parseCsvRecord(text: string, delimiter: string): string[] {
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    const field = fields.length + 1;
    if (text.charCodeAt(i) === QUOTE) {
      i++;
      let value = "";
      for (;;) {
        const close = text.indexOf('"', i);
        if (close < 0) throw new BadRecord(`unterminated quoted field ${field}`);
        value += text.slice(i, close);
        if (text.charCodeAt(close + 1) === QUOTE) {
          value += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      fields.push(value);
      if (i >= n) return fields;
      if (text[i] !== delimiter) {
        throw new BadRecord(`unexpected ${JSON.stringify(text[i])} after the closing quote of field ${field}`);
      }
      i++;
    } else {
      const next = text.indexOf(delimiter, i);
      const end = next < 0 ? n : next;
      const value = text.slice(i, end);
      if (value.includes('"')) throw new BadRecord(`quote inside unquoted field ${field} (quote the whole field and double the quote)`);
      fields.push(value);
      if (next < 0) return fields;
      i = next + 1;
    }
  }
}
