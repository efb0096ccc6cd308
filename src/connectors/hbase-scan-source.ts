/**
 * A bounded source over an HBase table scan, split per region exactly as a cluster's client splits it
 * (the Flink HBase connector's bounded source). A split's position is the last row read, so a restore
 * resumes after it.
 */
import type { ScanOptions, ScanSplit, Table } from "../hbase/table.js";
import type { Result } from "../hbase/result.js";
import type { Source, SourceBatch, SourceSplit, SplitPosition, SplitReader } from "../stream/sources/source.js";
import { toStringBinary } from "../hbase/bytes/bytes.js";

/** Options of {@link hbaseScan}: a scan, plus how rows become records. */
export interface HBaseScanSourceOptions<T> extends ScanOptions {
  /** Turns each row into a record (default: the row's {@link Result} itself). */
  map?: (row: Result) => T | undefined;
}

interface RegionSplit extends SourceSplit {
  readonly scan: ScanOptions;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/**
 * Reads the rows of a scan of `table`, one split per region the scan touches. Rows for which `map`
 * returns undefined are skipped.
 * @example
 * ```ts
 * const conn = await connect();
 * from(hbaseScan(conn.table("bids"), { prefix: "auction-1", map: (r) => r.get("d:price", "double") }))
 * ```
 */
export function hbaseScan<T = Result>(table: Table, options: HBaseScanSourceOptions<T> = {}): Source<T> {
  if (table === null || typeof table !== "object" || typeof table.splitScan !== "function") {
    throw new TypeError("hbaseScan() takes a table: connection.table(name)");
  }
  const { map, ...scan } = options;
  if (map !== undefined && typeof map !== "function") throw new TypeError(`hbaseScan: map must be a function, got ${typeof map}`);
  const label = `${table.name.namespace}:${table.name.name}`;
  const description = `hbase scan ${label}`;
  return {
    description,
    bounded: true,
    async splits(): Promise<RegionSplit[]> {
      const parts: ScanSplit[] = await table.splitScan(scan);
      return parts.map((p) => ({ id: `region-${hex(p.region.startKey)}`, scan: p.scan }));
    },
    async open(split: SourceSplit, position?: SplitPosition): Promise<SplitReader<T>> {
      const region = split as Partial<RegionSplit>;
      if (region.scan === undefined) throw new Error(`${description}: unknown split ${split.id}`);
      let resume: Uint8Array | undefined;
      if (position !== undefined && position !== null) {
        if (typeof position !== "string" || !/^([0-9a-f]{2})*$/.test(position)) {
          throw new Error(`${description}: a split position is the hex of the last row read, got ${String(position)}`);
        }
        resume = Uint8Array.from(Buffer.from(position, "hex"));
      }
      return new ScanReader<T>(table, region.scan, resume, map);
    },
  };
}

/** Reads one region's part of the scan, resuming after `resume` when restored. */
class ScanReader<T> implements SplitReader<T> {
  private readonly rows: AsyncIterator<Result>;
  private last: Uint8Array | undefined;
  private ended = false;

  constructor(
    table: Table,
    scan: ScanOptions,
    resume: Uint8Array | undefined,
    private readonly map: ((row: Result) => T | undefined) | undefined,
  ) {
    this.last = resume;
    const options: ScanOptions = resume === undefined ? scan : { ...scan, startRow: resume, includeStartRow: false };
    this.rows = table.scan(options)[Symbol.asyncIterator]();
  }

  async poll(max: number): Promise<SourceBatch<T>> {
    if (this.ended) return { records: [], status: "end" };
    const records: T[] = [];
    while (records.length < max) {
      const next = await this.rows.next();
      if (next.done === true) {
        this.ended = true;
        return { records, status: "end" };
      }
      this.last = next.value.row;
      const record = this.map === undefined ? (next.value as T) : this.map(next.value);
      if (record !== undefined) records.push(record);
    }
    return { records, status: "more" };
  }

  position(): SplitPosition {
    return this.last === undefined ? null : hex(this.last);
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.rows.return?.();
  }

  toString(): string {
    return `scan reader at ${this.last === undefined ? "start" : toStringBinary(this.last)}`;
  }
}
