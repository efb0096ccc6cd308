/**
 * CSV files (RFC 4180) as a source: a header line or given column names, optional per-column types,
 * a configurable delimiter; bounded or tailing a growing file. Blank lines are ignored.
 */
import type { Source } from "../source.js";
import { BadRecord } from "./bad-line-error.js";
import { CsvFramer, parseCsvRecord } from "./csv-record.js";
import { RecordFileReader } from "./record-file-reader.js";
import { checkFileSourceOptions, TextFileSource, type FileSourceOptions, type RecordParse } from "./text-file-source.js";

/**
 * A column's type: "string" (default, kept as is), "number" (finite), "integer" (safe integer) or
 * "boolean" (true/false/1/0, any case). An empty field of a non-string column is `null`.
 */
export type CsvType = "string" | "number" | "integer" | "boolean";

/** A converted field. */
export type CsvValue = string | number | boolean | null;

/** Options of {@link csv}. */
export interface CsvOptions extends FileSourceOptions {
  /**
   * Whether the first record is a header (default true). Column names come from `columns` if given
   * (the header is then skipped), else from the header.
   */
  readonly header?: boolean;
  /** Column names, in file order; required when `header` is false. */
  readonly columns?: readonly string[];
  /** Types of some columns by name (others are strings). */
  readonly types?: Readonly<Record<string, CsvType>>;
  /** Field delimiter, one character (default ","). */
  readonly delimiter?: string;
}

const TYPES: readonly CsvType[] = ["string", "number", "integer", "boolean"];

type Convert = (raw: string, column: string) => CsvValue;

const CONVERTERS: Readonly<Record<CsvType, Convert>> = {
  string: (raw) => raw,
  number: (raw, column) => {
    if (raw === "") return null;
    const v = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(v)) throw new BadRecord(`column ${column}: ${JSON.stringify(raw)} is not a number`);
    return v;
  },
  integer: (raw, column) => {
    if (raw === "") return null;
    const v = Number(raw);
    if (raw.trim() === "" || !Number.isSafeInteger(v)) throw new BadRecord(`column ${column}: ${JSON.stringify(raw)} is not an integer`);
    return v;
  },
  boolean: (raw, column) => {
    if (raw === "") return null;
    const s = raw.trim().toLowerCase();
    if (s === "true" || s === "1") return true;
    if (s === "false" || s === "0") return false;
    throw new BadRecord(`column ${column}: ${JSON.stringify(raw)} is not a boolean`);
  },
};

function checkNames(where: string, names: readonly string[], types: Readonly<Record<string, CsvType>>): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== "string" || name.length === 0) throw new Error(`${where}: column names must be non-empty strings, got ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new Error(`${where}: duplicate column name ${JSON.stringify(name)}`);
    seen.add(name);
  }
  for (const key of Object.keys(types)) {
    if (!seen.has(key)) throw new Error(`${where}: option types names column ${JSON.stringify(key)}, which is not among the columns [${names.join(", ")}]`);
  }
}

async function readHeader(path: string, delimiter: string): Promise<string[]> {
  const reader = await RecordFileReader.open(path, new CsvFramer(), false);
  try {
    for (;;) {
      const r = await reader.next();
      if (r === "eof" || r === "idle") throw new Error(`csv ${path}: cannot restore: the file has no header line`);
      if (r.text.trim().length === 0) continue;
      return parseCsvRecord(r.text, delimiter);
    }
  } finally {
    await reader.close();
  }
}

/**
 * A source of the rows of a CSV file as objects keyed by column name. `T` is the row type the rows
 * are asserted to have (not checked beyond `types`).
 *
 * @example
 * ```ts
 * const trades = csv<{ symbol: string; price: number; ts: number }>("trades.csv", {
 *   header: true,
 *   types: { price: "number", ts: "integer" },
 * });
 * ```
 */
export function csv<T extends object = Record<string, CsvValue>>(path: string, options: CsvOptions = {}): Source<T> {
  checkFileSourceOptions("csv", path, options);
  const header = options.header ?? true;
  if (typeof header !== "boolean") throw new TypeError(`csv: option header must be a boolean, got ${String(header)}`);
  const delimiter = options.delimiter ?? ",";
  if (typeof delimiter !== "string" || delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    throw new RangeError(`csv: option delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`);
  }
  const types = options.types ?? {};
  for (const [column, type] of Object.entries(types)) {
    if (!TYPES.includes(type)) throw new RangeError(`csv: option types.${column} must be one of ${TYPES.join(", ")}, got ${JSON.stringify(type)}`);
  }
  const columns = options.columns;
  if (columns !== undefined) {
    if (!Array.isArray(columns) || columns.length === 0) throw new TypeError(`csv: option columns must be a non-empty array of names, got ${String(columns)}`);
    checkNames("csv: option columns", columns, types);
  } else if (!header) {
    throw new TypeError("csv: option columns is required when header is false");
  }

  return new TextFileSource<T>(path, {
    name: "csv",
    framer: () => new CsvFramer(),
    parser: async (file, cursor): Promise<RecordParse<T>> => {
      let headerPending = header && cursor.offset === 0;
      let names: readonly string[] | undefined = columns;
      let converters: Convert[] = [];
      const setNames = (list: readonly string[]): void => {
        checkNames(`csv ${file}: header`, list, types);
        names = list;
        converters = list.map((name) => CONVERTERS[types[name] ?? "string"]);
      };
      if (names !== undefined) setNames(names);
      else if (!headerPending) setNames(await readHeader(file, delimiter));
      return (text) => {
        if (text.trim().length === 0) return undefined;
        const fields = parseCsvRecord(text, delimiter);
        if (headerPending) {
          headerPending = false;
          if (columns === undefined) setNames(fields);
          return undefined;
        }
        const cols = names!;
        if (fields.length !== cols.length) throw new BadRecord(`expected ${cols.length} fields, found ${fields.length}`);
        const row: Record<string, CsvValue> = {};
        for (let k = 0; k < cols.length; k++) row[cols[k]!] = converters[k]!(fields[k]!, cols[k]!);
        return row as T;
      };
    },
  }, options);
}
