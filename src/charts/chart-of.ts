/**
 * `chartOf(records, specOrShorthand)`: a chart of a bounded result (an array of records, anything with
 * `records` such as `collect()`, an iterable, or an async iterable such as a typed table's scan). A cell ending in it shows the chart: its
 * `[Symbol.for("Jupyter.display")]()` returns the same bundle as a live chart's — Vega-Lite 5, a PNG
 * rendered in the kernel, and a text summary.
 */
import { display, type DisplayHandle } from "../display/display-api.js";
import { JUPYTER_DISPLAY } from "../display/format.js";
import { describe } from "../display/mime-bundles.js";
import type { VegaLiteSpec } from "../display/vega-lite.js";
import type { MimeBundle } from "../protocol/message.js";
import { chartBundle } from "./chart-bundle.js";
import { ChartModel } from "./chart-model.js";
import { LIVE_DEFAULTS, resolveChartOptions, type ChartOptions, type ResolvedChartOptions } from "./chart-options.js";
import type { ChartRow } from "./chart-rows.js";
import { compileChecked, type ChartSpec } from "./chart-spec.js";
import { renderPng, renderPngSync } from "./png-renderer.js";

/** Defaults of bounded charts: every window and row is kept. */
const BOUNDED_DEFAULTS: ResolvedChartOptions = { ...LIVE_DEFAULTS, keepWindows: Infinity, keepRows: Infinity };

/** A chart of a bounded result (see {@link chartOf}). */
export interface Chart {
  /** The Vega-Lite 5 spec, data inlined. */
  readonly spec: VegaLiteSpec;
  /** The rows drawn. */
  readonly rows: readonly ChartRow[];
  /** The text summary. */
  readonly summary: string;
  /** The PNG image (rendered once, synchronously, on first use). @throws Error when rendering fails. */
  png(): Uint8Array;
  /** The PNG image, rendered without blocking. */
  pngAsync(): Promise<Uint8Array>;
  /** The mime bundle: Vega-Lite, PNG (unless disabled or failed) and text. */
  bundle(): MimeBundle;
  /** Shows the chart now and returns the display's handle. */
  show(): DisplayHandle;
  /** What Jupyter displays: {@link Chart.bundle}. */
  [JUPYTER_DISPLAY](): MimeBundle;
}

/**
 * Something holding records: an array, an object with `records` (a `collect()` sink), or any iterable
 * (a `Set`, a generator).
 */
export type RecordsLike<T> = readonly T[] | { readonly records: readonly T[] } | Iterable<T>;

/** Records read from an async iterable are handed to the chart in batches of this many. */
const ASYNC_BATCH = 1_000;

/**
 * A chart of bounded results. Window results of the same window replace each other as in a live chart;
 * nothing is dropped unless `keepWindows`/`keepRows` are given.
 *
 * Given an async iterable — a typed table's `scan()`, `rowsOf(table.scan(...))`, any async generator —
 * it reads it to the end and resolves with the chart (`await chartOf(...)`); only the kept rows stay in
 * memory (`keepRows` bounds a long scan).
 * @throws TypeError/RangeError for bad records, shorthand, spec or options (the promise rejects for async iterables).
 * @example
 * ```ts
 * const out = collect<WindowResult<string, number>>();
 * await from(fromArray(events)).withTimestamps((e) => e.ts).keyBy((e) => e.user)
 *   .window(tumbling(60_000)).aggregate(count()).to(out).start().done;
 * chartOf(out, { mark: "bar", topK: 5, title: "busiest users" });
 * await chartOf(rowsOf(bids.scan(), bidSchema), { mark: "point", x: "rowKey", y: "d.price" });
 * ```
 */
export function chartOf<T>(records: RecordsLike<T>, spec: ChartSpec, options?: ChartOptions): Chart;
export function chartOf<T>(records: AsyncIterable<T>, spec: ChartSpec, options?: ChartOptions): Promise<Chart>;
export function chartOf<T>(records: RecordsLike<T> | AsyncIterable<T>, spec: ChartSpec, options?: ChartOptions): Chart | Promise<Chart> {
  const resolved = resolveChartOptions(options, BOUNDED_DEFAULTS, "chartOf");
  const model = new ChartModel(spec, resolved, "chartOf");
  if (isAsyncIterable(records)) return readAll(records, model, resolved);
  model.add(recordsOf(records));
  return finish(model, resolved);
}

function finish(model: ChartModel, resolved: ResolvedChartOptions): Chart {
  const finalSpec = model.spec();
  compileChecked(finalSpec, "chartOf");
  return new BoundedChart(model, finalSpec, resolved);
}

async function readAll<T>(records: AsyncIterable<T>, model: ChartModel, resolved: ResolvedChartOptions): Promise<Chart> {
  let batch: T[] = [];
  for await (const record of records) {
    batch.push(record);
    if (batch.length >= ASYNC_BATCH) {
      model.add(batch);
      batch = [];
    }
  }
  model.add(batch);
  return finish(model, resolved);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function";
}

function recordsOf<T>(records: RecordsLike<T>): readonly T[] {
  if (Array.isArray(records)) return records as readonly T[];
  const inner = (records as { records?: unknown } | null)?.records;
  if (typeof records === "object" && records !== null && Array.isArray(inner)) return inner as readonly T[];
  if (records !== null && typeof records === "object" && typeof (records as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function") {
    return [...(records as Iterable<T>)];
  }
  throw new TypeError(
    `chartOf: records must be an array, an iterable, an async iterable (e.g. a table scan) or have a records array (e.g. a collect() sink), got ${describe(records)}`,
  );
}

class BoundedChart implements Chart {
  readonly rows: readonly ChartRow[];
  private image: Uint8Array | undefined;
  private imageError: string | undefined;

  constructor(
    private readonly model: ChartModel,
    readonly spec: VegaLiteSpec,
    private readonly options: ResolvedChartOptions,
  ) {
    this.rows = model.rows();
  }

  get summary(): string {
    return this.model.summary(this.imageError);
  }

  png(): Uint8Array {
    this.image ??= renderPngSync(this.spec, { scale: this.options.pngScale });
    return this.image;
  }

  async pngAsync(): Promise<Uint8Array> {
    this.image ??= await renderPng(this.spec, { scale: this.options.pngScale });
    return this.image;
  }

  bundle(): MimeBundle {
    let png: Uint8Array | undefined;
    if (this.options.png) {
      try {
        png = this.png();
        this.imageError = undefined;
      } catch (error) {
        this.imageError = `no static image: ${(error as Error).message}`;
      }
    }
    return chartBundle(this.spec, this.summary, png);
  }

  show(): DisplayHandle {
    return display(this.bundle(), { raw: true, id: this.options.displayId ?? true });
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return this.bundle();
  }
}
