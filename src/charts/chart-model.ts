/**
 * A chart's state apart from how it is shown: its checked definition, its bounded rows and the spec
 * they make. Shared by the live sink (chart-sink.ts) and bounded charts (chart-of.ts).
 */
import type { VegaLiteSpec } from "../display/vega-lite.js";
import type { ChartRow, RecordKind } from "./chart-rows.js";
import { checkChartSpec, withRows, type ChartDefinition } from "./chart-spec.js";
import { chartSummary } from "./chart-summary.js";
import { RowBuffer, type RowBufferLimits } from "./row-buffer.js";

/** A chart definition with its data. */
export class ChartModel {
  /** The checked definition (shorthand or full spec). */
  readonly definition: ChartDefinition;
  /** The kept rows. */
  readonly buffer: RowBuffer;

  /** @throws TypeError/RangeError for a bad shorthand or spec. */
  constructor(spec: unknown, limits: RowBufferLimits, private readonly what: string) {
    this.definition = checkChartSpec(spec, what);
    this.buffer = new RowBuffer(limits, what);
  }

  /** The chart's name in summaries: its title, else its mark. */
  get label(): string {
    if (this.definition.kind === "shorthand") {
      const { title, mark, topK } = this.definition.shorthand;
      return title ?? (topK !== undefined ? `top ${topK} ${mark}` : mark);
    }
    const title = this.definition.spec["title"];
    if (typeof title === "string") return title;
    const mark = this.definition.spec["mark"];
    if (typeof mark === "string") return mark;
    if (typeof mark === "object" && mark !== null && typeof (mark as { type?: unknown }).type === "string") return (mark as { type: string }).type;
    return "Vega-Lite";
  }

  /** Adds records (see RowBuffer.add). */
  add(records: readonly unknown[]): void {
    for (const record of records) this.buffer.add(record);
  }

  /** The kept rows. */
  rows(): ChartRow[] {
    return this.buffer.rows();
  }

  /** The spec showing the kept rows. */
  spec(): VegaLiteSpec {
    return withRows(this.definition, this.kind(), this.buffer.rows(), this.what);
  }

  /** The text summary, with an optional note (e.g. why there is no PNG). */
  summary(note?: string): string {
    return chartSummary(this.label, this.buffer, note);
  }

  /** The kind of records: from the data, or before any arrived, what the shorthand implies. */
  private kind(): RecordKind {
    const seen = this.buffer.kind;
    if (seen !== undefined) return seen;
    if (this.definition.kind !== "shorthand") return "rows";
    const { x, y } = this.definition.shorthand;
    const windowish = (x === undefined || x === "end" || x === "start") && y === undefined;
    return windowish || x === undefined || y === undefined ? "windows" : "rows";
  }
}
