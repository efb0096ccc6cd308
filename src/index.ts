/**
 * The package "sluice": what notebook cells and user modules import. Inside the kernel, output goes to
 * the running cell; in a plain Node script `display` prints text and `input` refuses.
 */
export { display, clearOutput } from "./display/display-api.js";
export { input, password } from "./display/input.js";
export { formatValue } from "./display/format.js";
export { comms } from "./display/comms.js";
export { kernel } from "./evaluator/kernel-settings.js";
export { connect } from "./hbase/connect.js";
export { codecs, codecByName } from "./hbase/bytes/value-codecs.js";
export { Result, ResultSet, collect } from "./hbase/result.js";
export * as rowKeys from "./hbase/bytes/row-keys.js";

export type { Display, DisplayOptions, HelperOptions, ImageOptions, TextHelper, VegaLiteSpec } from "./display/display-api.js";
export type { DisplayHandle, UpdateOptions } from "./display/display-handle.js";
export type { FormattedValue } from "./display/format.js";
export type { JsonObject, MimeBundle } from "./protocol/message.js";
export type { Comm, CommTargetHandler } from "./display/comms.js";
export type { KernelSettings, TypeCheckMode } from "./evaluator/kernel-settings.js";
export type { ConnectOptions } from "./hbase/connect.js";
export type { CodecName, CodecValue } from "./hbase/bytes/value-codecs.js";
export type { Filter, CompareOp, Comparator } from "./hbase/filters/filter.js";
export type * from "./hbase/table.js";
