/**
 * Runs a plan as a job in the background of the event loop: rounds of source polls (a batch per split),
 * records pushed through the operators synchronously, each sink's records of the round written (a slow
 * sink holds the next round: backpressure), a periodic tick for watermarks and processing-time timers,
 * and a yield to the event loop between rounds so the kernel stays responsive.
 */
import type { Plan } from "../api/graph.js";
import type { Job, JobMetrics, JobStatus, OperatorMetrics, StartOptions } from "../api/job.js";
import type { SourceSplit, SplitReader } from "../sources/source.js";
import type { PhysicalPlan, SplitEntry } from "./physical-plan.js";
import { buildPhysicalPlan } from "./physical-plan.js";
import { END_OF_TIME, NO_WATERMARK } from "../time/watermark.js";

/** Defaults of {@link StartOptions}. */
export const DEFAULT_BATCH_SIZE = 1_000;
export const DEFAULT_WATERMARK_INTERVAL = 200;
/** How long a round that found nothing to read waits before polling again, ms. */
const IDLE_WAIT = 20;

let jobCounter = 0;

interface ActiveSplit {
  readonly entry: SplitEntry;
  readonly reader: SplitReader<unknown>;
  ended: boolean;
}

/** The clock and scheduling a job uses (tests may pass their own). */
export interface JobEnvironment {
  /** Processing time, ms. */
  now(): number;
}

const systemEnvironment: JobEnvironment = { now: () => Date.now() };

/** Starts a job for `plan` (the executor of the builder API). */
export function startJob(plan: Plan, options: StartOptions = {}, environment: JobEnvironment = systemEnvironment): Job {
  return new JobRunner(plan, options, environment);
}

/** A running job. */
class JobRunner implements Job {
  readonly name: string;
  private state: JobStatus = "running";
  private failure: Error | undefined;
  private readonly batchSize: number;
  private readonly watermarkInterval: number;
  private physical: PhysicalPlan | undefined;
  private splits: ActiveSplit[] = [];
  private stopRequested: "stop" | "cancel" | undefined;
  private recordsIn = 0;
  private busyMs = 0;
  private readonly startedAt: number;
  readonly done: Promise<void>;

  constructor(
    private readonly plan: Plan,
    options: StartOptions,
    private readonly env: JobEnvironment,
  ) {
    if (options === null || typeof options !== "object") throw new TypeError("start options must be an object");
    this.name = options.name ?? `job-${++jobCounter}`;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`start: batchSize must be a positive integer, got ${String(options.batchSize)}`);
    this.watermarkInterval = options.watermarkInterval ?? DEFAULT_WATERMARK_INTERVAL;
    if (!Number.isInteger(this.watermarkInterval) || this.watermarkInterval < 1) {
      throw new RangeError(`start: watermarkInterval must be a positive integer (ms), got ${String(options.watermarkInterval)}`);
    }
    this.startedAt = env.now();
    this.done = this.run();
    // A failed job is reported through `done` and `status`; an unobserved rejection must not crash the kernel.
    this.done.catch(() => {});
  }

  get status(): JobStatus {
    return this.state;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  async stop(): Promise<void> {
    this.stopRequested ??= "stop";
    await this.done.catch(() => {});
  }

  async cancel(): Promise<void> {
    this.stopRequested = "cancel";
    await this.done.catch(() => {});
  }

  metrics(): JobMetrics {
    const operators: OperatorMetrics[] = (this.physical?.operators ?? []).map(({ node, operator }) => ({
      id: node.id,
      name: node.name,
      kind: node.kind,
      ...operator.counters,
    }));
    const sinkWatermarks = (this.physical?.sinks ?? []).map((s) => s.operator.counters.watermark);
    const watermark = sinkWatermarks.length === 0 ? NO_WATERMARK : Math.min(...sinkWatermarks);
    const now = this.env.now();
    return {
      status: this.state,
      recordsIn: this.recordsIn,
      recordsOut: (this.physical?.sinks ?? []).reduce((n, s) => n + s.operator.counters.recordsOut, 0),
      watermark,
      eventTimeLag: Number.isFinite(watermark) ? now - watermark : undefined,
      busyMs: this.busyMs,
      startedAt: this.startedAt,
      operators,
    };
  }

  // ---------------------------------------------------------------------------------------------

  private async run(): Promise<void> {
    // Let the caller attach handlers (and the cell finish) before any work.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      const splits = new Map<number, readonly SourceSplit[]>();
      for (const node of sourcesOf(this.plan)) splits.set(node.id, await node.source.splits());
      this.physical = buildPhysicalPlan(this.plan, splits, () => this.env.now());
      for (const s of this.physical.sinks) await s.operator.sink.open?.();
      for (const entry of this.physical.splits) {
        this.splits.push({ entry, reader: await entry.node.source.open(entry.split), ended: false });
      }
      await this.loop();
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.state = "failed";
    }
    await this.closeAll();
    if (this.failure !== undefined) {
      this.state = "failed";
      throw this.failure;
    }
  }

  private async loop(): Promise<void> {
    const physical = this.physical!;
    let lastTick = -Infinity;
    for (;;) {
      if (this.stopRequested !== undefined) {
        this.state = this.stopRequested === "stop" ? "stopped" : "cancelled";
        if (this.stopRequested === "stop") await this.writeSinks();
        return;
      }
      const roundStart = performance.now();
      let read = 0;
      let waiting = 0;
      for (const split of this.splits) {
        if (split.ended) continue;
        const batch = await split.reader.poll(this.batchSize);
        for (const record of batch.records) split.entry.output.collect(record, undefined);
        read += batch.records.length;
        if (batch.status === "end") {
          split.ended = true;
          split.entry.output.watermark(END_OF_TIME);
        } else if (batch.status === "idle") {
          waiting++;
        }
      }
      this.recordsIn += read;
      const now = this.env.now();
      if (now - lastTick >= this.watermarkInterval) {
        lastTick = now;
        for (const { operator } of physical.operators) operator.onProcessingTime(now);
      }
      const finished = this.splits.every((s) => s.ended);
      if (finished) this.endOfInput();
      this.busyMs += performance.now() - roundStart;
      await this.writeSinks();
      if (finished) {
        this.state = "finished";
        return;
      }
      if (read === 0 && waiting > 0) await sleep(Math.min(IDLE_WAIT, this.watermarkInterval));
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Every input has ended: the end-of-time watermark reaches every operator (also those with no split). */
  private endOfInput(): void {
    for (const { operator } of this.physical!.operators) {
      operator.onProcessingTime(this.env.now());
      for (let c = 0; c < operator.channels; c++) operator.processWatermark(END_OF_TIME, c);
    }
  }

  private async writeSinks(): Promise<void> {
    for (const { operator } of this.physical?.sinks ?? []) {
      const records = operator.drain();
      if (records.length > 0) await operator.sink.write(records);
    }
  }

  private async closeAll(): Promise<void> {
    for (const split of this.splits) {
      try {
        await split.reader.close();
      } catch (error) {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    for (const { operator } of this.physical?.sinks ?? []) {
      try {
        await operator.sink.close?.();
      } catch (error) {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
  }
}

function sourcesOf(plan: Plan): Extract<Plan["sinks"][number]["input"], { kind: "source" }>[] {
  const seen = new Set<number>();
  const out: Extract<Plan["sinks"][number]["input"], { kind: "source" }>[] = [];
  const visit = (node: Plan["sinks"][number]["input"]): void => {
    if (seen.has(node.id)) return;
    seen.add(node.id);
    if (node.kind === "source") out.push(node);
    else if (node.kind === "union") node.inputs.forEach(visit);
    else visit(node.input);
  };
  for (const sink of plan.sinks) visit(sink.input);
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
