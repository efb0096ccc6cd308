/**
 * The shared machinery of the JSONL and CSV sources: one split per file, records read with
 * {@link RecordFileReader}, bad lines failed or skipped, position = byte offset and line number of the
 * next unread record (plus the count of skipped lines), so a restore resumes exactly.
 */
import type { Source, SourceBatch, SourceSplit, SplitPosition, SplitReader } from "../source.js";
import { BadLineError, BadRecord, type OnBadLine } from "./bad-line-error.js";
import { RecordFileReader, type FileCursor, type RecordFramer } from "./record-file-reader.js";

/** The checkpointed position of a file split. */
export interface FilePosition {
  /** Byte offset of the next unread record. */
  readonly offset: number;
  /** Its 1-based line number (for messages). */
  readonly line: number;
  /** Bad lines skipped so far. */
  readonly skipped: number;
}

/** Options common to the file sources. */
export interface FileSourceOptions {
  /** Keep reading as the file grows (an unbounded source; poll says "idle" at the end). Default false. */
  readonly tail?: boolean;
  /** What to do with a line that is not a valid record. Default "fail". */
  readonly onBadLine?: OnBadLine;
}

/** Turns a record's text into a value; `undefined` skips it (a blank line); throws {@link BadRecord}. */
export type RecordParse<T> = (text: string, line: number) => T | undefined;

/** How a concrete file format plugs in. */
export interface TextFileFormat<T> {
  /** "jsonl" or "csv", for messages. */
  readonly name: string;
  /** A fresh framer per reader. */
  framer(): RecordFramer;
  /** Prepares a parser for a reader starting at `cursor` (a CSV source reads its header here). */
  parser(path: string, cursor: FileCursor): Promise<RecordParse<T>>;
}

/** Checks the options common to the file sources; throws naming the option and the value. */
export function checkFileSourceOptions(kind: string, path: string, options: FileSourceOptions): void {
  if (typeof path !== "string" || path.length === 0) throw new TypeError(`${kind}: path must be a non-empty string, got ${String(path)}`);
  if (options.tail !== undefined && typeof options.tail !== "boolean") {
    throw new TypeError(`${kind}: option tail must be a boolean, got ${String(options.tail)}`);
  }
  const bad = options.onBadLine;
  if (bad !== undefined && bad !== "fail" && bad !== "skip" && typeof bad !== "function") {
    throw new TypeError(`${kind}: option onBadLine must be "fail", "skip" or a function, got ${String(bad)}`);
  }
}

function checkPosition(description: string, position: SplitPosition | undefined): FilePosition {
  if (position === undefined || position === null) return { offset: 0, line: 1, skipped: 0 };
  const p = position as Partial<Record<keyof FilePosition, unknown>>;
  const ok = typeof position === "object" && !Array.isArray(position) &&
    Number.isSafeInteger(p.offset) && (p.offset as number) >= 0 &&
    Number.isSafeInteger(p.line) && (p.line as number) >= 1 &&
    Number.isSafeInteger(p.skipped) && (p.skipped as number) >= 0;
  if (!ok) throw new Error(`${description}: position must be { offset, line, skipped }, got ${JSON.stringify(position, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`);
  return position as unknown as FilePosition;
}

/** A file source of one format: one split whose id is the path. */
export class TextFileSource<T> implements Source<T> {
  readonly description: string;
  readonly bounded: boolean;
  private readonly split: SourceSplit;

  constructor(
    readonly path: string,
    private readonly format: TextFileFormat<T>,
    private readonly options: FileSourceOptions,
  ) {
    this.description = `file ${path}${options.tail === true ? " (tail)" : ""}`;
    this.bounded = options.tail !== true;
    this.split = { id: `file:${path}` };
  }

  async splits(): Promise<readonly SourceSplit[]> {
    return [this.split];
  }

  async open(split: SourceSplit, position?: SplitPosition): Promise<TextFileReader<T>> {
    if (split.id !== this.split.id) throw new Error(`${this.description}: unknown split "${split.id}"`);
    const start = checkPosition(this.description, position);
    const cursor: FileCursor = { offset: start.offset, line: start.line };
    const parse = await this.format.parser(this.path, cursor);
    const reader = await RecordFileReader.open(this.path, this.format.framer(), this.options.tail === true, cursor);
    return new TextFileReader(this.path, reader, parse, this.options.onBadLine ?? "fail", start.skipped);
  }
}

/** Reads one file split; see {@link FilePosition}. */
export class TextFileReader<T> implements SplitReader<T> {
  private pending: { readonly error: BadLineError; readonly cursor: FileCursor } | undefined;

  constructor(
    private readonly path: string,
    private readonly reader: RecordFileReader,
    private readonly parse: RecordParse<T>,
    private readonly onBadLine: OnBadLine,
    private skipped: number,
  ) {}

  /** Bad lines skipped so far (counted across restores). */
  get skippedLines(): number {
    return this.skipped;
  }

  async poll(max: number): Promise<SourceBatch<T>> {
    if (this.pending !== undefined) throw this.pending.error;
    const records: T[] = [];
    const limit = Math.max(1, Math.floor(max));
    while (records.length < limit) {
      const before = this.reader.cursor();
      const r = await this.reader.next();
      if (r === "idle") return { records, status: records.length > 0 ? "more" : "idle" };
      if (r === "eof") return { records, status: "end" };
      try {
        if (r.incomplete !== undefined) throw new BadRecord(r.incomplete);
        const value = this.parse(r.text, r.line);
        if (value !== undefined) records.push(value);
      } catch (error) {
        if (!(error instanceof BadRecord)) throw error;
        const bad = { file: this.path, line: r.line, reason: error.message, text: r.text.length > 200 ? `${r.text.slice(0, 200)}…` : r.text };
        if (this.onBadLine === "fail") {
          const failure = new BadLineError(bad);
          if (records.length === 0) throw failure;
          this.pending = { error: failure, cursor: before };
          return { records, status: "more" };
        }
        this.skipped++;
        if (typeof this.onBadLine === "function") this.onBadLine(bad);
      }
    }
    return { records, status: "more" };
  }

  position(): SplitPosition {
    const c = this.pending?.cursor ?? this.reader.cursor();
    return { offset: c.offset, line: c.line, skipped: this.skipped };
  }

  async close(): Promise<void> {
    await this.reader.close();
  }
}
