/**
 * The execution history behind `history_request`, kept per user across kernel restarts in an
 * append-only JSON-lines file. Each executed cell is one line `{"session", "line", "input", "date"}`
 * (line = execution_count); each kernel process is a new session, numbered one more than any session
 * in the file, and reserves its number by appending `{"session", "start"}` when it opens.
 *
 * Queries follow IPython's HistoryManager (which ipykernel's history_request calls):
 * - `tail(n)` — the last n entries across sessions, oldest first;
 * - `range(session, start, stop)` — one session's lines `start <= line < stop`;
 * - `search(pattern, n)` — entries whose whole input matches a glob (SQLite GLOB, as IPython uses).
 * Entries are `[session, line, input]`. Outputs are not stored: a history_request with `output=true`
 * can only be answered with `null` outputs. Unlike IPython, which reports lines of the current
 * session as session 0 in `range`, every query gives absolute session numbers.
 *
 * Writes never block the kernel: `record` updates memory at once and appends to the file on a later
 * turn of the event loop (flushed on `close()`, and synchronously if the process exits first). A
 * corrupt or half-written line in the file is skipped (logged once); every other entry is kept, and
 * new lines never get glued onto a half-written one.
 */
import { appendFileSync } from "node:fs";
import { appendFile, mkdir, open as openFile, readFile, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { userDataDir } from "../protocol/jupyter-paths.js";
import type { HistoryAccess } from "./request-context.js";

/** One history entry: `[session, line, input]`. */
export type HistoryEntry = [session: number, line: number, input: string];

/** Where and how to open the history. */
export interface HistoryStoreOptions {
  /**
   * The history file. Default: `$SLUICE_HISTORY_FILE`, else `<Jupyter data dir>/sluice/history.jsonl`
   * (the data dir is `$JUPYTER_DATA_DIR`, else the platform default, ~/.local/share/jupyter on Linux).
   */
  file?: string;
  /** Environment for the default file; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The kernel log (corrupt lines, write failures). Default: a `[sluice]` line on process.stderr. */
  log?: (message: string) => void;
}

interface StoredEntry {
  session: number;
  line: number;
  input: string;
}

/** The default history file for this environment (see {@link HistoryStoreOptions.file}). */
export function defaultHistoryFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env["SLUICE_HISTORY_FILE"]) return env["SLUICE_HISTORY_FILE"];
  return path.join(userDataDir(env), "sluice", "history.jsonl");
}

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

/**
 * Turns a glob into a RegExp over the whole text, with SQLite GLOB's rules (what IPython's search
 * uses): `*` any run of characters (newlines included), `?` exactly one character, `[abc]`, `[a-z]`
 * and `[^abc]` character sets (a `]` right after `[` or `[^` is a member); matching is
 * case-sensitive. A `[` without a closing `]` matches itself.
 */
export function globToRegExp(pattern: string): RegExp {
  const chars = Array.from(pattern);
  const literal = (c: string): string => `\\u{${c.codePointAt(0)!.toString(16)}}`;
  let source = "";
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "*") source += "[^]*";
    else if (c === "?") source += "[^]";
    else if (c === "[") {
      let j = i + 1;
      const negate = chars[j] === "^";
      if (negate) j++;
      const members: string[] = [];
      let first = true;
      while (j < chars.length && (chars[j] !== "]" || first)) {
        first = false;
        if (chars[j + 1] === "-" && j + 2 < chars.length && chars[j + 2] !== "]") {
          // A reversed range (z-a) matches nothing, as in SQLite.
          if (chars[j]!.codePointAt(0)! <= chars[j + 2]!.codePointAt(0)!) members.push(`${literal(chars[j]!)}-${literal(chars[j + 2]!)}`);
          j += 3;
        } else {
          members.push(literal(chars[j]!));
          j++;
        }
      }
      if (j >= chars.length) {
        source += literal(c);
        continue;
      }
      source += `[${negate ? "^" : ""}${members.join("")}]`;
      i = j;
    } else source += literal(c);
  }
  return new RegExp(`^${source}$`, "u");
}

/** Keeps the latest occurrence of each input (entries are in history order). */
function latestUnique(entries: StoredEntry[]): StoredEntry[] {
  const seen = new Set<string>();
  const kept: StoredEntry[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    if (seen.has(entry.input)) continue;
    seen.add(entry.input);
    kept.push(entry);
  }
  return kept.reverse();
}

/** The last n entries; a negative n means all of them (SQLite's LIMIT, as in IPython). */
function lastN<T>(entries: T[], n: number | undefined): T[] {
  if (n === undefined || n < 0) return entries;
  return n === 0 ? [] : entries.slice(-n);
}

function toTuple(entry: StoredEntry): HistoryEntry {
  return [entry.session, entry.line, entry.input];
}

function checkCount(n: unknown, what: string): number | undefined {
  if (n === undefined) return undefined;
  if (typeof n !== "number" || !Number.isInteger(n)) throw new TypeError(`${what} must be an integer, got ${String(n)}`);
  return n;
}

function checkInteger(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw new TypeError(`${what} must be an integer, got ${String(value)}`);
  return value;
}

/** Takes `<file>.lock` (exclusive create), waiting for another kernel that holds it; returns the release. */
async function lock(file: string, log: (message: string) => void): Promise<() => Promise<void>> {
  const lockFile = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await openFile(lockFile, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(lockFile).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const age = await stat(lockFile).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > LOCK_STALE_MS) {
      await unlink(lockFile).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      log(`history lock ${lockFile} is held by another process; opening without it`);
      return async () => undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Execution history of this user, one session per kernel process. */
export class HistoryStore implements HistoryAccess {
  /** Entries of all sessions, ordered by (session, line). */
  private readonly entries: StoredEntry[];
  private pending = "";
  private writing: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private writeFailing = false;
  private closed = false;
  private readonly onExit = (): void => {
    if (!this.pending) return;
    try {
      appendFileSync(this.file, this.pending);
      this.pending = "";
    } catch {
      // The process is exiting; nothing more can be done.
    }
  };

  private constructor(
    /** The history file. */
    readonly file: string,
    /** This kernel's session number. */
    readonly session: number,
    entries: StoredEntry[],
    private readonly log: (message: string) => void,
  ) {
    this.entries = entries;
    process.on("exit", this.onExit);
  }

  /**
   * Reads the history file (creating its directory), starts a new session and reserves its number.
   * @throws when the file or its directory cannot be read or written.
   */
  static async open(options: HistoryStoreOptions = {}): Promise<HistoryStore> {
    const log = options.log ?? ((message: string) => void process.stderr.write(`[sluice] ${message}\n`));
    const file = path.resolve(options.file ?? defaultHistoryFile(options.env));
    await mkdir(path.dirname(file), { recursive: true });
    const release = await lock(file, log);
    try {
      let text = "";
      try {
        text = await readFile(file, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      const { entries, maxSession } = HistoryStore.parse(text, file, log);
      const session = maxSession + 1;
      const needsNewline = text.length > 0 && !text.endsWith("\n");
      const marker = JSON.stringify({ session, start: new Date().toISOString() });
      await appendFile(file, `${needsNewline ? "\n" : ""}${marker}\n`);
      return new HistoryStore(file, session, entries, log);
    } finally {
      await release();
    }
  }

  private static parse(text: string, file: string, log: (message: string) => void): { entries: StoredEntry[]; maxSession: number } {
    const byKey = new Map<string, StoredEntry>();
    let maxSession = 0;
    let bad = 0;
    let firstBad = 0;
    const lines = text.split("\n");
    lines.forEach((raw, index) => {
      if (raw.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        value = undefined;
      }
      const record = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
      const session = record?.["session"];
      if (!record || !isNonNegativeInteger(session) || session === 0) {
        if (bad++ === 0) firstBad = index + 1;
        return;
      }
      if ("line" in record || "input" in record) {
        const line = record["line"];
        const input = record["input"];
        if (!isNonNegativeInteger(line) || typeof input !== "string") {
          if (bad++ === 0) firstBad = index + 1;
          return;
        }
        // A repeated (session, line) keeps the later entry, like a re-recorded line.
        const key = `${session}:${line}`;
        byKey.delete(key);
        byKey.set(key, { session, line, input });
      }
      maxSession = Math.max(maxSession, session);
    });
    if (bad > 0) {
      log(`history file ${file}: skipped ${bad} unreadable line(s), the first at line ${firstBad}; kept ${byKey.size} entries`);
    }
    const entries = [...byKey.values()].sort((a, b) => a.session - b.session || a.line - b.line);
    return { entries, maxSession };
  }

  /**
   * Records a cell of this session (`line` is its execution_count). Memory is updated at once; the
   * file is appended to asynchronously.
   * @throws TypeError on a bad line or input; Error after `close()`.
   */
  record(line: number, input: string): void {
    if (this.closed) throw new Error("history store is closed: cannot record");
    if (!isNonNegativeInteger(line)) throw new TypeError(`history line must be a non-negative integer, got ${String(line)}`);
    if (typeof input !== "string") throw new TypeError(`history input must be a string, got ${typeof input}`);
    const entry: StoredEntry = { session: this.session, line, input };
    this.insert(entry);
    this.pending += `${JSON.stringify({ session: this.session, line, input, date: new Date().toISOString() })}\n`;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        void this.flush();
      });
    }
  }

  private insert(entry: StoredEntry): void {
    const entries = this.entries;
    // Almost always appended at the end; otherwise find its place (a line recorded out of order).
    let i = entries.length;
    while (i > 0 && (entries[i - 1]!.session > entry.session || (entries[i - 1]!.session === entry.session && entries[i - 1]!.line > entry.line))) i--;
    const previous = entries[i - 1];
    if (previous && previous.session === entry.session && previous.line === entry.line) entries[i - 1] = entry;
    else entries.splice(i, 0, entry);
  }

  /** Appends what is pending; on failure keeps it for the next flush and logs (once per failure run). */
  private flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const text = this.pending;
      if (!text) return;
      this.pending = "";
      try {
        await appendFile(this.file, text);
        this.writeFailing = false;
      } catch (error) {
        this.pending = text + this.pending;
        if (!this.writeFailing) this.log(`cannot write history file ${this.file}: ${(error as Error).message}; will retry`);
        this.writeFailing = true;
      }
    });
    return this.writing;
  }

  /**
   * The last `n` entries across sessions, oldest first (a negative n gives all). With `unique`, an
   * input repeated later is only listed at its latest occurrence.
   */
  tail(n: number, unique = false): HistoryEntry[] {
    const count = checkCount(n, "history tail n");
    return lastN(unique ? latestUnique(this.entries) : this.entries, count).map(toTuple);
  }

  /**
   * Lines `start <= line < stop` of one session. `session` 0 is the current session, negative counts
   * back from it (−1 = the previous one), positive is absolute. As in IPython, with N = the session's
   * last line + 1: a negative `start` or `stop` counts back from N, and a `stop` of 0 or beyond N means
   * "to the end".
   */
  range(session = 0, start = 0, stop = 0): HistoryEntry[] {
    checkInteger(session, "history session");
    checkInteger(start, "history range start");
    checkInteger(stop, "history range stop");
    const wanted = session <= 0 ? this.session + session : session;
    const lines = this.entries.filter((entry) => entry.session === wanted);
    if (lines.length === 0) return [];
    const n = lines[lines.length - 1]!.line + 1;
    const from = start < 0 ? start + n : start;
    const to = stop === 0 || stop > n ? n : stop < 0 ? stop + n : stop;
    return lines.filter((entry) => entry.line >= from && entry.line < to).map(toTuple);
  }

  /**
   * Entries whose whole input matches the glob `pattern` (see {@link globToRegExp}; IPython does not
   * add `*` around it: use `*text*` to find inputs containing text), oldest first, only the last `n`
   * matches when n is given (a negative n gives all). With `unique`, each input is listed once, at
   * its latest occurrence.
   */
  search(pattern = "*", n?: number, unique = false): HistoryEntry[] {
    if (typeof pattern !== "string") throw new TypeError(`history search pattern must be a string, got ${typeof pattern}`);
    const count = checkCount(n, "history search n");
    const regexp = globToRegExp(pattern);
    const matches = this.entries.filter((entry) => regexp.test(entry.input));
    return lastN(unique ? latestUnique(matches) : matches, count).map(toTuple);
  }

  /** Writes everything recorded so far. */
  async flushNow(): Promise<void> {
    await this.flush();
  }

  /** Flushes pending writes and stops recording; queries keep working. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return this.writing;
    this.closed = true;
    await this.flush();
    process.off("exit", this.onExit);
    if (this.pending) {
      const lost = this.pending.split("\n").length - 1;
      this.pending = "";
      this.log(`history file ${this.file}: ${lost} entr${lost === 1 ? "y" : "ies"} could not be written`);
    }
  }
}
