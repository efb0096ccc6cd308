/**
 * The bounded data behind a chart. Window results are kept per window span (start, end) and key: a
 * later firing of the same window (early, on time, late) replaces the earlier row, and only the
 * `keepWindows` most recent spans (by end, then start) are kept. Other records are kept as the last
 * `keepRows` rows. So a chart's payload stays bounded however long its job runs.
 */
import { isWindowResult, keyIdentity, plainRow, windowRow, type ChartRow, type RecordKind } from "./chart-rows.js";

/** Limits of a {@link RowBuffer}. */
export interface RowBufferLimits {
  /** Window spans kept (window results). */
  keepWindows: number;
  /** Rows kept (other records). */
  keepRows: number;
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly rows: Map<string, ChartRow>;
}

/** A bounded, replace-by-window store of chart rows. */
export class RowBuffer {
  private kindSeen: RecordKind | undefined;
  private readonly spans = new Map<string, Span>();
  private plain: ChartRow[] = [];
  private received = 0;
  private latest: ChartRow | undefined;

  /** @param what names the caller in errors (`chart` or `chartOf`). */
  constructor(
    private readonly limits: RowBufferLimits,
    private readonly what = "chart",
  ) {}

  /** The kind of the records added so far (set by the first record), or undefined before any. */
  get kind(): RecordKind | undefined {
    return this.kindSeen;
  }

  /** Records added so far (including replaced and dropped ones). */
  get receivedCount(): number {
    return this.received;
  }

  /** Window spans kept (0 for plain records). */
  get windowCount(): number {
    return this.spans.size;
  }

  /** The row of the last record added (undefined before any). */
  get lastRow(): ChartRow | undefined {
    return this.latest;
  }

  /**
   * Adds one record. The first record decides the kind of the whole chart.
   * @throws TypeError when a chart of window results gets a record that is not one.
   */
  add(record: unknown): void {
    const kind: RecordKind = isWindowResult(record) ? "windows" : "rows";
    this.kindSeen ??= kind;
    if (this.kindSeen === "windows" && kind !== "windows") {
      throw new TypeError(`${this.what}: this chart draws window results ({key, start, end, value}), but a record of another shape arrived`);
    }
    this.received++;
    if (this.kindSeen === "windows" && isWindowResult(record)) {
      const row = windowRow(record);
      this.latest = row;
      this.addWindowRow(record.start, record.end, keyIdentity(record.key), row);
    } else {
      const row = plainRow(record);
      this.latest = row;
      this.plain.push(row);
      if (this.plain.length > this.limits.keepRows * 2) this.plain = this.plain.slice(-this.limits.keepRows);
    }
  }

  /** The kept rows: window rows ordered by window (start, end) then by first arrival; plain rows in arrival order. */
  rows(): ChartRow[] {
    if (this.kindSeen !== "windows") return this.plain.length > this.limits.keepRows ? this.plain.slice(-this.limits.keepRows) : [...this.plain];
    const spans = [...this.spans.values()].sort(compareSpans);
    return spans.flatMap((span) => [...span.rows.values()]);
  }

  /** The most recent window span kept, if any. */
  latestSpan(): { start: number; end: number; keys: number } | undefined {
    let best: Span | undefined;
    for (const span of this.spans.values()) if (!best || compareSpans(span, best) > 0) best = span;
    return best && { start: best.start, end: best.end, keys: best.rows.size };
  }

  /** Distinct keys among the kept window rows. */
  keyCount(): number {
    const keys = new Set<string>();
    for (const span of this.spans.values()) for (const key of span.rows.keys()) keys.add(key);
    return keys.size;
  }

  private addWindowRow(start: number, end: number, key: string, row: ChartRow): void {
    const id = `${start}:${end}`;
    let span = this.spans.get(id);
    if (!span) {
      span = { start, end, rows: new Map() };
      this.spans.set(id, span);
    }
    span.rows.set(key, row);
    if (this.spans.size > this.limits.keepWindows) {
      let oldest: [string, Span] | undefined;
      for (const entry of this.spans) if (!oldest || compareSpans(entry[1], oldest[1]) < 0) oldest = entry;
      this.spans.delete(oldest![0]);
    }
  }
}

function compareSpans(a: { start: number; end: number }, b: { start: number; end: number }): number {
  return a.end - b.end || a.start - b.start;
}
