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
export { Result, ResultSet, collectRows } from "./hbase/result.js";
export * as rowKeys from "./hbase/bytes/row-keys.js";
export { schema, typedTable, typedTableOf, TypedTable, SchemaDecodeError, RecordEncodeError } from "./hbase/schema/index.js";

export * from "./stream/index.js";
export * from "./stream/windowing/index.js";
export * from "./stream/aggregates/index.js";
export * from "./stream/sources/index.js";
export { hbaseScan } from "./connectors/hbase-scan-source.js";
export { hbaseSink } from "./connectors/hbase-sink.js";
export { hbaseTail } from "./connectors/hbase-tail-source.js";
export { hbaseLookup } from "./connectors/hbase-lookup.js";
export { hbaseCheckpointStore, DEFAULT_CHECKPOINT_TABLE } from "./connectors/hbase-checkpoint-store.js";
export { startLocalEndpoint } from "./hbase/local-endpoint/index.js";
export { replay, ReplayResult } from "./connectors/replay.js";
export { rowsOf } from "./connectors/rows-of.js";
export { diffTables, TableDiff, TABLE_DIFF_MIME } from "./hbase/table-diff.js";
export { createBufferedMutator } from "./hbase/buffered-mutator.js";
export { chart, chartOf } from "./charts/index.js";
export { showJobStatus, jobStatusBundle, stopJobsWithCheckpoint } from "./notebook/job-status.js";
export { onKernelShutdown } from "./display/shutdown-hooks.js";
import { installJobStatusDisplays } from "./notebook/job-status.js";
import { registerWorkerGlobal } from "./stream/runtime/parallel/worker-globals.js";
import { RUNTIME_GLOBAL, workerRuntimeStandIn } from "./evaluator/runtime-global.js";

// Inside the kernel, every job a cell starts gets a live status display under that cell.
installJobStatusDisplays();
// Cell functions shipped to a parallel job's worker threads name the kernel's runtime object.
registerWorkerGlobal(RUNTIME_GLOBAL, workerRuntimeStandIn);
export { BufferedMutatorError } from "./hbase/buffered-mutator-error.js";

export type { HBaseScanSourceOptions } from "./connectors/hbase-scan-source.js";
export type { HBaseSinkOptions } from "./connectors/hbase-sink.js";
export type { HBaseTailOptions } from "./connectors/hbase-tail-source.js";
export type { HBaseLookupOptions } from "./connectors/hbase-lookup.js";
export type { HBaseCheckpointStoreOptions } from "./connectors/hbase-checkpoint-store.js";
export type { LocalEndpoint, LocalEndpointOptions } from "./hbase/local-endpoint/index.js";
export type { ReplayOptions, ReplayFrom, Startable } from "./connectors/replay.js";
export type { TextRecord } from "./connectors/rows-of.js";
export type { TableDiffOptions, TableDiffCounts, CellDifference, CellVersion } from "./hbase/table-diff.js";
export type { ChartSink, Chart, ChartOptions, ChartShorthand, ChartSpec, ChartRow, RecordsLike } from "./charts/index.js";
export type { MutationFailure } from "./hbase/buffered-mutator-error.js";
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
export type {
  SchemaSpec,
  FamilySchema,
  RecordOf,
  RecordInput,
  RowKeyOf,
  TypedGetOptions,
  TypedPutOptions,
  TypedReadOptions,
  TypedScanOptions,
} from "./hbase/schema/index.js";
