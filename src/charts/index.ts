/**
 * Charts of stream results: `chart(...)`, a live chart sink, and `chartOf(...)`, a chart of bounded
 * results; both take a shorthand or a full Vega-Lite 5 spec (see README.md).
 */
export { chart, type ChartSink } from "./chart-sink.js";
export { chartOf, type Chart, type RecordsLike } from "./chart-of.js";
export type { ChartOptions } from "./chart-options.js";
export type { ChartShorthand, ShorthandMark } from "./chart-shorthand.js";
export { RECORDS_DATASET, type ChartSpec, type TopLevelSpec } from "./chart-spec.js";
export type { ChartRow } from "./chart-rows.js";
export { renderPng, renderPngSync, type RenderOptions } from "./png-renderer.js";
