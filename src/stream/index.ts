/**
 * The stream engine's public surface: `from(source)` starts a pipeline; sources, window assigners,
 * triggers, aggregates and sinks are the building blocks. Usable from a plain Node script.
 */
import type { Source } from "./sources/source.js";
import { DataStream } from "./api/streams.js";
import { Pipeline } from "./api/pipeline.js";
import { startJob } from "./runtime/job-runner.js";
import { registeredJobs } from "./runtime/job-registry.js";
import { JobList } from "./api/job-list.js";
import type { Job } from "./api/job.js";

/**
 * A stream of the records of `source`. @example
 * ```ts
 * const job = from(nexmark({ maxEvents: 10_000 }))
 *   .filter((e) => e.kind === "bid")
 *   .to(collect())
 *   .start();
 * ```
 */
export function from<T>(source: Source<T>, name?: string): DataStream<T> {
  if (source === null || typeof source !== "object" || typeof source.splits !== "function" || typeof source.open !== "function") {
    throw new TypeError("from() takes a source, e.g. fromArray([...]), nexmark({...}), jsonl(path) or an HBase scan");
  }
  const pipeline = new Pipeline(startJob);
  return new DataStream<T>({ kind: "source", id: pipeline.newId(), name: name ?? source.description, source: source as Source<unknown> }, pipeline);
}

/**
 * The jobs started in this process, shown as a table in a notebook. `jobs.stopAll()` stops every running
 * job (gracefully: sinks flushed).
 */
export const jobs: (() => JobList) & { stopAll(): Promise<void>; list(): readonly Job[] } = Object.assign(() => new JobList(registeredJobs()), {
  list: () => registeredJobs(),
  async stopAll(): Promise<void> {
    await Promise.all(registeredJobs().filter((j) => j.status === "running").map((j) => j.stop()));
  },
});

export { onJobStart } from "./runtime/job-registry.js";
export { JobList } from "./api/job-list.js";
export type { JobRow } from "./api/job-list.js";
export type { JobListener } from "./runtime/job-registry.js";
export { DataStream, KeyedStream, WindowedStream, TimestampedStream } from "./api/streams.js";
export { Pipeline } from "./api/pipeline.js";
export { OutputTag } from "./api/output-tag.js";
export { UserFunctionError } from "./runtime/user-function-error.js";
export { collect } from "./sinks/collect-sink.js";
export { callback } from "./sinks/callback-sink.js";
export { consoleSink } from "./sinks/console-sink.js";

export type { Job, JobMetrics, JobStatus, OperatorMetrics, StartOptions, CheckpointOptions, CheckpointMetrics } from "./api/job.js";
export type { CheckpointInfo, CheckpointStore } from "./checkpoint/checkpoint-store.js";
export { DirectoryCheckpointStore } from "./checkpoint/directory-checkpoint-store.js";
export type { StateOptions as StateBackendOptions, HeapStateOptions, DiskStateOptions } from "./state/state-options.js";
export type { Sink } from "./api/sink.js";
export type { LookupFunction, LookupJoinOptions } from "./api/lookup.js";
export type {
  KeyedProcessFunction,
  ProcessContext,
  TimerContext,
  TimerService,
  KeyedStateAccess,
  ValueState,
  ListState,
  MapState,
  StateOptions,
} from "./api/process-function.js";
export type { WindowContext, WindowResult, FiringKind } from "./api/window-result.js";
export type { TimestampOptions, InvalidTimestampPolicy } from "./api/graph.js";
export type { CollectSink } from "./sinks/collect-sink.js";
export type { Source, SourceSplit, SplitReader, SourceBatch, SplitPosition } from "./sources/source.js";
export type { AggregateFunction } from "./aggregates/aggregate-function.js";
export type { TimeWindow } from "./windowing/time-window.js";
export type { WindowAssigner, TimeDomain } from "./windowing/window-assigner.js";
export type { Trigger, TriggerResult, TriggerContext } from "./windowing/trigger.js";
