/**
 * `chart(specOrShorthand, options)`: a sink that shows a pipeline's results as one live chart.
 *
 * On open (job start) — or on the first write, if there was no output then — it shows ONE display
 * with a display id: Vega-Lite 5 (`application/vnd.vegalite.v5+json`, data inlined), a static
 * `image/png` rendered in the kernel, and a text/plain summary. As records arrive, the same display
 * is replaced (update_display_data) at most `maxUpdatesPerSecond` times a second, with a trailing
 * update so the last state is always shown; a window's later firings replace its point; only the last
 * `keepWindows` windows (or `keepRows` rows) are kept. The PNG is re-rendered every `pngIntervalMs`
 * and always at close, so saved notebooks and HTML exports show the final chart.
 *
 * Output goes to the cell that started the job (the display layer finds it through the asynchronous
 * context). In a plain Node script — no kernel — nothing is shown while the job runs and the summary
 * is printed once at close.
 */
import { display, type DisplayHandle } from "../display/display-api.js";
import { currentDisplaySink } from "../display/display-sink.js";
import type { VegaLiteSpec } from "../display/vega-lite.js";
import type { JsonObject, MimeBundle } from "../protocol/message.js";
import type { Sink } from "../stream/api/sink.js";
import { chartBundle } from "./chart-bundle.js";
import { ChartModel } from "./chart-model.js";
import { LIVE_DEFAULTS, resolveChartOptions, type ChartOptions, type ResolvedChartOptions } from "./chart-options.js";
import type { ChartRow } from "./chart-rows.js";
import type { ChartSpec } from "./chart-spec.js";
import { renderPng } from "./png-renderer.js";
import { UpdateThrottle } from "./update-throttle.js";

/** A live chart sink (see {@link chart}). */
export interface ChartSink<T> extends Sink<T> {
  /** The display id of the chart's output (undefined until it is shown). */
  readonly displayId: string | undefined;
  /** The rows the chart shows now. */
  readonly rows: readonly ChartRow[];
  /** The Vega-Lite 5 spec the chart shows now (data inlined). */
  spec(): VegaLiteSpec;
  /** The mime bundle the chart shows now (Vega-Lite, the last PNG rendered, text). */
  bundle(): MimeBundle;
  /** Shows the chart (job start); does nothing outside a kernel. */
  open(): void;
  /** Renders the final PNG and sends the final state (job end); outside a kernel, prints the summary. */
  close(): Promise<void>;
}

/**
 * A sink drawing its records as a live chart in the cell that started the job.
 *
 * @param spec a shorthand (`{mark: "line"}`, `{mark: "bar", topK: 10}`, ...) or a full Vega-Lite 5
 *   spec (vega-lite's `TopLevelSpec`) reading `data: {name: "records"}`.
 * @throws TypeError/RangeError at once for a bad shorthand, spec or option.
 * @example
 * ```ts
 * from(nexmark({ maxEvents: 100_000 }))
 *   .filter((e) => e.kind === "bid")
 *   .withTimestamps((b) => b.dateTime)
 *   .keyBy((b) => b.auction % 5)
 *   .window(tumbling(10_000))
 *   .aggregate(count())
 *   .to(chart({ mark: "line", title: "bids per 10 s" }))
 *   .start();
 * ```
 */
export function chart<T = unknown>(spec: ChartSpec, options?: ChartOptions): ChartSink<T> {
  const resolved = resolveChartOptions(options, LIVE_DEFAULTS, "chart");
  return new LiveChart<T>(new ChartModel(spec, resolved, "chart"), resolved);
}

class LiveChart<T> implements ChartSink<T> {
  readonly description: string;
  private handle: DisplayHandle | undefined;
  private readonly updates: UpdateThrottle;
  private png: Uint8Array | undefined;
  private pngNote: string | undefined;
  private pngTimer: ReturnType<typeof setTimeout> | undefined;
  private pngDirty = false;
  private pngStarted = -Infinity;
  private rendering: Promise<void> | undefined;
  private failure: unknown;
  private closed = false;

  constructor(
    private readonly model: ChartModel,
    private readonly options: ResolvedChartOptions,
  ) {
    this.description = options.name ?? `chart ${model.label}`;
    this.updates = new UpdateThrottle(1000 / options.maxUpdatesPerSecond, () => this.emit(), (error) => (this.failure ??= error));
  }

  get displayId(): string | undefined {
    return this.handle?.id;
  }

  get rows(): readonly ChartRow[] {
    return this.model.rows();
  }

  spec(): VegaLiteSpec {
    return this.model.spec();
  }

  bundle(): MimeBundle {
    return chartBundle(this.model.spec(), this.model.summary(this.pngNote), this.png);
  }

  /** The job starts (in the cell that started it): the chart is shown there at once. */
  start(): void {
    this.open();
  }

  open(): void {
    this.closed = false; // a sink run again (a restarted job) goes on in the same display
    if (currentDisplaySink() === undefined) return;
    if (this.handle !== undefined) {
      this.updates.request();
      this.requestPng();
      return;
    }
    this.show();
    this.requestPng();
  }

  write(records: readonly T[]): void {
    this.rethrow();
    if (this.closed) return;
    this.model.add(records);
    if (currentDisplaySink() === undefined) return;
    if (this.handle === undefined) this.show();
    else this.updates.request();
    this.requestPng();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.updates.cancel();
    if (this.pngTimer !== undefined) clearTimeout(this.pngTimer);
    this.pngTimer = undefined;
    const live = currentDisplaySink() !== undefined;
    if (this.rendering) await this.rendering;
    if (live && this.options.png) await this.renderNow();
    const bundle = this.bundle();
    if (this.handle) this.handle.update(bundle, { raw: true, metadata: this.metadata() });
    else this.handle = display(bundle, { raw: true, id: this.options.displayId ?? true, metadata: this.metadata() });
    this.rethrow();
  }

  /** The first display of the chart. */
  private show(): void {
    this.handle = display(this.bundle(), { raw: true, id: this.options.displayId ?? true, metadata: this.metadata() });
    this.updates.touch();
  }

  /** A coalesced live update. */
  private emit(): void {
    if (this.handle === undefined) this.show();
    else this.handle.update(this.bundle(), { raw: true, metadata: this.metadata() });
  }

  /** Size hints so a PNG rendered at a pixel ratio above 1 shows at its CSS size. */
  private metadata(): JsonObject {
    const png = this.png;
    if (png === undefined || this.options.pngScale === 1 || png.length < 24) return {};
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    return { "image/png": { width: Math.round(view.getUint32(16) / this.options.pngScale), height: Math.round(view.getUint32(20) / this.options.pngScale) } };
  }

  /** Asks for a PNG refresh: at most one per pngIntervalMs, one at a time, the last state always rendered. */
  private requestPng(): void {
    if (!this.options.png || this.closed) return;
    this.pngDirty = true;
    if (this.rendering !== undefined || this.pngTimer !== undefined) return;
    const wait = this.pngStarted + this.options.pngIntervalMs - Date.now();
    if (wait <= 0) {
      this.startRender();
      return;
    }
    this.pngTimer = setTimeout(() => {
      this.pngTimer = undefined;
      this.startRender();
    }, wait);
    this.pngTimer.unref?.();
  }

  private startRender(): void {
    if (this.closed) return;
    this.pngDirty = false;
    this.pngStarted = Date.now();
    this.rendering = this.renderNow().then(() => {
      this.rendering = undefined;
      if (this.closed) return;
      this.updates.request();
      if (this.pngDirty) this.requestPng();
    });
  }

  /** Renders the current spec; a failure leaves a note in the text summary instead of failing the job. */
  private async renderNow(): Promise<void> {
    try {
      this.png = await renderPng(this.model.spec(), { scale: this.options.pngScale });
      this.pngNote = undefined;
    } catch (error) {
      this.pngNote = `no static image: ${(error as Error).message}`;
    }
  }

  private rethrow(): void {
    if (this.failure === undefined) return;
    const failure = this.failure;
    this.failure = undefined;
    throw failure;
  }
}
