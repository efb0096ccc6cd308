/** The error of a file source for a line it cannot turn into a record. */

/** What is known of a bad line (also passed to an `onBadLine` callback). */
export interface BadLine {
  /** The file's path as given to the source. */
  readonly file: string;
  /** 1-based line number where the bad record starts. */
  readonly line: number;
  /** What is wrong, e.g. "JSON parse error: Unexpected token } in JSON at position 9". */
  readonly reason: string;
  /** The record's text (without its line terminator), cut to 200 characters. */
  readonly text: string;
}

/**
 * What to do with a bad line: "fail" (default) throws a {@link BadLineError} from `poll`; "skip" drops
 * it and counts it (see the readers' `skippedLines`); a function is called with the line, then it is skipped.
 */
export type OnBadLine = "fail" | "skip" | ((bad: BadLine) => void);

/** A line of a file source that is not a valid record: names file, line number and the problem. */
export class BadLineError extends Error implements BadLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  readonly text: string;

  constructor(bad: BadLine) {
    super(`${bad.file}:${bad.line}: ${bad.reason} (line: ${JSON.stringify(bad.text)})`);
    this.name = "BadLineError";
    this.file = bad.file;
    this.line = bad.line;
    this.reason = bad.reason;
    this.text = bad.text;
  }
}

/** Thrown by a record parser for a malformed record; the file reader adds file and line. */
export class BadRecord extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "BadRecord";
  }
}
