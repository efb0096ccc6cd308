/**
 * An unbounded source that tails an HBase table: it reads the cells written since its last poll, by
 * cell timestamp, region by region. Each poll reads the time range [from, to) with to = now − safety
 * lag, then the next starts at to — consecutive ranges touch, so nothing is read twice and nothing is
 * skipped at poll boundaries. The safety lag covers writers whose timestamps trail the tail's clock (a
 * cell whose timestamp is older than `to` when it is written is not seen). Deletes are not reported.
 *
 * The position of a split is (from, to, last row read), so a restore resumes exactly where it stopped,
 * also in the middle of a range.
 */
import type { ColumnRef, ScanOptions, Table } from "../hbase/table.js";
import type { Filter } from "../hbase/filters/filter.js";
import type { Result } from "../hbase/result.js";
import type { Source, SourceBatch, SourceSplit, SplitPosition, SplitReader } from "../stream/sources/source.js";

/** Options of {@link hbaseTail}. */
export interface HBaseTailOptions<T> {
  /** Cells with timestamps from here on are read (default: the time the job starts, i.e. only new cells). */
  from?: number;
  /** How often to look for new cells, ms (default 1,000). */
  pollIntervalMs?: number;
  /** How far behind the clock reads stay, ms (default 5,000). */
  safetyLagMs?: number;
  /** Only these families or columns. */
  columns?: readonly ColumnRef[];
  /** A filter applied to each row's new cells. */
  filter?: Filter;
  /** Turns each row's new cells (every version in the range) into a record; undefined skips the row. */
  map?: (row: Result) => T | undefined;
  /** The clock (default Date.now). */
  now?: () => number;
}

interface TailSplit extends SourceSplit {
  readonly scan: ScanOptions;
}

/** Where a split is: reading [from, to), after row `after` (hex) when set. */
interface TailPosition {
  from: number;
  to: number | null;
  after: string | null;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function checkMillis(value: unknown, name: string, allowZero: boolean): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`hbaseTail: ${name} must be a ${allowZero ? "non-negative" : "positive"} integer (ms), got ${String(value)}`);
  }
  return value;
}

/**
 * Tails `table`: every cell written from `from` on, as rows of new cells, region by region.
 * @example
 * ```ts
 * from(hbaseTail(conn.table("bids"), { pollIntervalMs: 500, safetyLagMs: 2_000 }))
 *   .map((row) => row.get("d:price", "double"))
 * ```
 */
export function hbaseTail<T = Result>(table: Table, options: HBaseTailOptions<T> = {}): Source<T> {
  if (table === null || typeof table !== "object" || typeof table.splitScan !== "function") {
    throw new TypeError("hbaseTail() takes a table: connection.table(name)");
  }
  if (options === null || typeof options !== "object") throw new TypeError("hbaseTail options must be an object");
  const now = options.now ?? Date.now;
  const pollInterval = checkMillis(options.pollIntervalMs ?? 1_000, "pollIntervalMs", false);
  const lag = checkMillis(options.safetyLagMs ?? 5_000, "safetyLagMs", true);
  const start = options.from === undefined ? undefined : checkMillis(options.from, "from", true);
  if (options.map !== undefined && typeof options.map !== "function") throw new TypeError(`hbaseTail: map must be a function, got ${typeof options.map}`);
  const base: ScanOptions = {};
  if (options.columns !== undefined) base.columns = options.columns;
  if (options.filter !== undefined) base.filter = options.filter;
  const label = `${table.name.namespace}:${table.name.name}`;
  const description = `hbase tail ${label}`;
  let jobStart: number | undefined;
  return {
    description,
    bounded: false,
    async splits(): Promise<TailSplit[]> {
      jobStart ??= now();
      const parts = await table.splitScan(base);
      return parts.map((p) => ({ id: `region-${hex(p.region.startKey)}`, scan: p.scan }));
    },
    async open(split: SourceSplit, position?: SplitPosition): Promise<SplitReader<T>> {
      const tail = split as Partial<TailSplit>;
      if (tail.scan === undefined) throw new Error(`${description}: unknown split ${split.id}`);
      let at: TailPosition = { from: start ?? jobStart ?? now(), to: null, after: null };
      if (position !== undefined && position !== null) at = checkPosition(position, description);
      return new TailReader<T>(table, tail.scan, at, { pollInterval, lag, now, map: options.map });
    },
  };
}

function checkPosition(position: SplitPosition, description: string): TailPosition {
  const p = position as Partial<TailPosition>;
  if (
    typeof p !== "object" ||
    p === null ||
    typeof p.from !== "number" ||
    (p.to !== null && typeof p.to !== "number") ||
    (p.after !== null && (typeof p.after !== "string" || !/^([0-9a-f]{2})*$/.test(p.after)))
  ) {
    throw new Error(`${description}: a split position is { from, to, after }, got ${JSON.stringify(position)}`);
  }
  return { from: p.from, to: p.to ?? null, after: p.after ?? null };
}

/** Reads one region's new cells, range after range. */
class TailReader<T> implements SplitReader<T> {
  private rows: AsyncIterator<Result> | undefined;
  private lastPoll = -Infinity;
  private closed = false;

  constructor(
    private readonly table: Table,
    private readonly scan: ScanOptions,
    private at: TailPosition,
    private readonly config: { pollInterval: number; lag: number; now: () => number; map: ((row: Result) => T | undefined) | undefined },
  ) {}

  async poll(max: number): Promise<SourceBatch<T>> {
    if (this.closed) return { records: [], status: "end" };
    if (this.rows === undefined) {
      if (this.at.to === null) {
        const now = this.config.now();
        if (now - this.lastPoll < this.config.pollInterval) return { records: [], status: "idle" };
        this.lastPoll = now;
        const to = now - this.config.lag;
        if (to <= this.at.from) return { records: [], status: "idle" };
        this.at = { from: this.at.from, to, after: null };
      }
      this.rows = this.openRange();
    }
    const records: T[] = [];
    while (records.length < max) {
      const next = await this.rows.next();
      if (next.done === true) {
        // The range is read: the next one starts where it ended.
        this.rows = undefined;
        this.at = { from: this.at.to!, to: null, after: null };
        return { records, status: records.length > 0 ? "more" : "idle" };
      }
      this.at.after = hex(next.value.row);
      const record = this.config.map === undefined ? (next.value as T) : this.config.map(next.value);
      if (record !== undefined) records.push(record);
    }
    return { records, status: "more" };
  }

  position(): SplitPosition {
    return { from: this.at.from, to: this.at.to, after: this.at.after };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.rows?.return?.();
    this.rows = undefined;
  }

  private openRange(): AsyncIterator<Result> {
    const scan: ScanOptions = { ...this.scan, timeRange: { min: this.at.from, max: this.at.to! }, maxVersions: Number.MAX_SAFE_INTEGER };
    if (this.at.after !== null) {
      const after = Uint8Array.from(Buffer.from(this.at.after, "hex"));
      Object.assign(scan, { startRow: after, includeStartRow: false });
      // The region's own upper bound stays: only the lower bound moves.
    }
    return this.table.scan(scan)[Symbol.asyncIterator]();
  }
}
