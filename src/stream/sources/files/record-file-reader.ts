/**
 * Reads a text file record by record with positioned reads (never the whole file at once), tracking the
 * byte offset and line number of the next unread record, optionally tailing a growing file.
 *
 * Records end at a line feed (a preceding CR is dropped); a {@link RecordFramer} decides which line feed
 * ends a record (CSV's quoted fields may contain line feeds). In tail mode a last record without its
 * terminator waits for it; in bounded mode it is a record at end of file.
 */
import { open, stat, type FileHandle } from "node:fs/promises";

/** Finds the line feed that ends the record being scanned. Stateful across calls for one record. */
export interface RecordFramer {
  /** Scans `buf[from, to)`, continuing the current record; returns the index of its terminating LF or −1. */
  scan(buf: Uint8Array, from: number, to: number): number;
  /** Why the bytes scanned so far cannot end at end of file (e.g. an open quote), or undefined. */
  incompleteReason(): string | undefined;
  /** A new record starts. */
  reset(): void;
}

/** Frames records at every line feed (JSON Lines). */
export const lineFramer: RecordFramer = {
  scan(buf, from, to) {
    const i = buf.indexOf(0x0a, from);
    return i >= 0 && i < to ? i : -1;
  },
  incompleteReason() {
    return undefined;
  },
  reset() {},
};

/** One record read from a file. */
export interface FileRecord {
  /** Decoded text without the terminator (and without a UTF-8 BOM at offset 0). */
  readonly text: string;
  /** 1-based line number where the record starts. */
  readonly line: number;
  /** Set on a last record cut off by the end of the file (e.g. "unterminated quoted field"). */
  readonly incomplete?: string;
}

/** Where a reader is: byte offset and line number of the next unread record. */
export interface FileCursor {
  readonly offset: number;
  readonly line: number;
}

const CHUNK = 64 * 1024;

/** A positioned, optionally tailing, record reader of one file. */
export class RecordFileReader {
  private buf: Buffer = Buffer.allocUnsafe(CHUNK);
  /** buf[start, end) holds the file's bytes from `offset` on. */
  private start = 0;
  private end = 0;
  private scanFrom = 0;
  private offset: number;
  private line: number;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    private readonly ino: number,
    private readonly framer: RecordFramer,
    private readonly tail: boolean,
    cursor: FileCursor,
  ) {
    this.offset = cursor.offset;
    this.line = cursor.line;
  }

  /** Opens `path` at `cursor`; throws if the file is shorter than the cursor's offset. */
  static async open(path: string, framer: RecordFramer, tail: boolean, cursor: FileCursor = { offset: 0, line: 1 }): Promise<RecordFileReader> {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      throw new Error(`file source ${path}: cannot open: ${(error as Error).message}`, { cause: error });
    }
    const st = await handle.stat();
    if (st.size < cursor.offset) {
      await handle.close();
      throw new Error(`file source ${path}: restore offset ${cursor.offset} is past the end of the file (${st.size} bytes): ` +
        "the file was truncated or replaced since the checkpoint");
    }
    framer.reset();
    return new RecordFileReader(path, handle, st.ino, framer, tail, cursor);
  }

  /** The offset and line of the next unread record. */
  cursor(): FileCursor {
    return { offset: this.offset, line: this.line };
  }

  /** The next record, "idle" (tail mode: no complete record yet) or "eof" (bounded mode: the end). */
  async next(): Promise<FileRecord | "idle" | "eof"> {
    if (this.closed) throw new Error(`file source ${this.path}: read after close`);
    for (;;) {
      if (this.scanFrom < this.end) {
        const lf = this.framer.scan(this.buf, this.scanFrom, this.end);
        if (lf >= 0) return this.take(lf, lf + 1);
        this.scanFrom = this.end;
      }
      const n = await this.readMore();
      if (n > 0) continue;
      if (this.tail) {
        await this.checkNotTruncated();
        return "idle";
      }
      if (this.start === this.end) return "eof";
      const reason = this.framer.incompleteReason();
      const record = this.take(this.end, this.end);
      return reason === undefined ? record : { ...record, incomplete: reason };
    }
  }

  /** Consumes buf[start, recordEnd) as a record and the bytes up to `next`. */
  private take(recordEnd: number, next: number): FileRecord {
    let from = this.start;
    let to = recordEnd;
    if (to > from && this.buf[to - 1] === 0x0d && next > recordEnd) to--;
    if (this.offset === 0 && to - from >= 3 && this.buf[from] === 0xef && this.buf[from + 1] === 0xbb && this.buf[from + 2] === 0xbf) from += 3;
    const text = this.buf.toString("utf8", from, to);
    const line = this.line;
    let lines = 0;
    for (let i = this.start; i < next; i++) if (this.buf[i] === 0x0a) lines++;
    this.line += lines;
    this.offset += next - this.start;
    this.start = next;
    this.scanFrom = next;
    this.framer.reset();
    return { text, line };
  }

  private async readMore(): Promise<number> {
    if (this.end === this.buf.length) {
      const kept = this.end - this.start;
      if (this.start === 0) {
        const bigger = Buffer.allocUnsafe(this.buf.length * 2);
        this.buf.copy(bigger, 0, 0, this.end);
        this.buf = bigger;
      } else {
        this.buf.copy(this.buf, 0, this.start, this.end);
        this.scanFrom -= this.start;
        this.start = 0;
        this.end = kept;
      }
    }
    const position = this.offset + (this.end - this.start);
    const { bytesRead } = await this.handle.read(this.buf, this.end, this.buf.length - this.end, position);
    this.end += bytesRead;
    return bytesRead;
  }

  private async checkNotTruncated(): Promise<void> {
    const readPos = this.offset + (this.end - this.start);
    let size: number;
    let ino: number;
    try {
      const st = await stat(this.path);
      size = st.size;
      ino = st.ino;
    } catch (error) {
      throw new Error(`file source ${this.path}: the tailed file disappeared (rotated or deleted): ${(error as Error).message}`, { cause: error });
    }
    if (ino !== this.ino) {
      throw new Error(`file source ${this.path}: the tailed file was replaced (rotated) while reading at offset ${readPos}`);
    }
    if (size < readPos) {
      throw new Error(`file source ${this.path}: the tailed file was truncated to ${size} bytes while reading at offset ${readPos}`);
    }
  }

  /** Closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
