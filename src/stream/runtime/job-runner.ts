/**
 * Runs a plan as a job in the background of the event loop: rounds of source polls (a batch per split),
 * records pushed through the operators synchronously, each sink's records of the round written (a slow
 * sink holds the next round: backpressure), a periodic tick for watermarks and processing-time timers,
 * and a yield to the event loop between rounds so the kernel stays responsive.
 */
import { createHash } from "node:crypto";
import type { Plan } from "../api/graph.js";
import type { CheckpointMetrics, CheckpointOptions, Job, JobMetrics, JobStatus, OperatorMetrics, StartOptions } from "../api/job.js";
import type { CheckpointInfo, CheckpointStore } from "../checkpoint/checkpoint-store.js";
import { DirectoryCheckpointStore } from "../checkpoint/directory-checkpoint-store.js";
import { decodeSnapshot, encodeSnapshot } from "../checkpoint/snapshot-codec.js";
import { ChainPolicy, DEFAULT_FULL_EVERY, readChain } from "../checkpoint/checkpoint-chain.js";
import { canMaterialize, ChainMaterializer } from "../checkpoint/chain-materializer.js";
import { foldJobSnapshot, type JobSnapshot } from "../checkpoint/job-snapshot.js";
import { fullIsSmaller, isIncremental } from "../state/keyed-snapshot.js";
import { attachStateBackends, releaseKeyedState } from "../state/attach-state-backends.js";
import type { DiskStateEnvironment } from "../state/disk-state-environment.js";
import { checkStateOptions, type StateOptions } from "../state/state-options.js";
import type { SourceSplit, SplitReader } from "../sources/source.js";
import type { PhysicalPlan, SplitEntry } from "./physical-plan.js";
import { buildPhysicalPlan } from "./physical-plan.js";
import { planParallel, type ParallelPlan } from "./parallel/parallel-plan.js";
import { registerJob } from "./job-registry.js";
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

/** A checkpoint or savepoint asked for, waiting for the next round boundary. */
interface CheckpointRequest {
  kind: "checkpoint" | "savepoint";
  name?: string;
  resolve: (info: CheckpointInfo) => void;
  reject: (error: Error) => void;
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
  private readonly checkpointing: Checkpointing | undefined;
  private readonly stateOptions: StateOptions;
  /** Keyed operators on worker threads (undefined with parallelism 1). */
  private readonly parallel: ParallelPlan | undefined;
  private stateEnvironment: DiskStateEnvironment | undefined;
  private nextCheckpointId = 1;
  private lastCheckpointAt: number;
  private last: CheckpointMetrics | undefined;
  private requests: CheckpointRequest[] = [];
  /** The periodic checkpoint being written in the background (the job goes on meanwhile), if any. */
  private writing: Promise<void> | undefined;
  /** Why the last background write failed (the job fails at its next round boundary). */
  private writeFailure: Error | undefined;
  /** Background materialisation of chains into new bases (stores that can take them). */
  private materializer: ChainMaterializer | undefined;
  private materializing: Promise<void> | undefined;
  /** Set while materialised state is being committed to the store (the job's end waits for that part only). */
  private committing: Promise<unknown> | undefined;
  private readonly startedAt: number;
  readonly done: Promise<void>;

  constructor(
    private readonly plan: Plan,
    private readonly options: StartOptions,
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
    this.lastCheckpointAt = this.startedAt;
    this.checkpointing = options.checkpoint === undefined ? undefined : checkCheckpointOptions(options.checkpoint);
    this.stateOptions = options.state === undefined ? { backend: "heap" } : checkStateOptions(options.state);
    // Parallel execution: user functions are checked (and shipped) now, so a bad one fails the start.
    this.parallel = planParallel(plan, options);
    if (this.parallel !== undefined && this.stateOptions.backend !== "heap") {
      throw new Error(`start: parallelism ${this.parallel.parallelism} keeps keyed state on the heap of its worker threads; the ${this.stateOptions.backend} state backend needs parallelism 1`);
    }
    if (options.restore !== undefined) {
      if (this.checkpointing === undefined) throw new Error("start: restore needs checkpoint storage: start({ checkpoint: { every, storage }, restore })");
      const r = options.restore;
      const valid =
        r === "latest" ||
        (r !== null && typeof r === "object" &&
          (("savepoint" in r && typeof r.savepoint === "string") || ("checkpoint" in r && Number.isSafeInteger(r.checkpoint) && r.checkpoint >= 0)));
      if (!valid) {
        throw new TypeError(`start: restore must be "latest", { savepoint: name } or { checkpoint: id }, got ${JSON.stringify(r)}`);
      }
    }
    for (const sink of plan.sinks) sink.sink.start?.();
    this.done = this.run(options.restore);
    // A failed job is reported through `done` and `status`; an unobserved rejection must not crash the kernel.
    this.done.catch(() => {});
    registerJob(this);
  }

  get status(): JobStatus {
    return this.state;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  checkpoint(): Promise<CheckpointInfo> {
    return this.request("checkpoint");
  }

  savepoint(name: string): Promise<CheckpointInfo> {
    if (typeof name !== "string" || name.length === 0) return Promise.reject(new TypeError("savepoint() needs a name"));
    return this.request("savepoint", name);
  }

  private request(kind: "checkpoint" | "savepoint", name?: string): Promise<CheckpointInfo> {
    if (this.checkpointing === undefined) {
      return Promise.reject(new Error(`job ${this.name} has no checkpoint storage: start it with { checkpoint: { every, storage } }`));
    }
    if (this.state !== "running") return Promise.reject(new Error(`job ${this.name} is ${this.state}: no ${kind} can be taken`));
    return new Promise((resolve, reject) => {
      const request: CheckpointRequest = { kind, resolve, reject };
      if (name !== undefined) request.name = name;
      this.requests.push(request);
    });
  }

  async stop(): Promise<void> {
    this.stopRequested ??= "stop";
    await this.done.catch(() => {});
  }

  async cancel(): Promise<void> {
    this.stopRequested = "cancel";
    await this.done.catch(() => {});
  }

  async restart(from: NonNullable<StartOptions["restore"]> = "latest"): Promise<Job> {
    if (this.checkpointing === undefined) {
      throw new Error(`job ${this.name} has no checkpoint storage, so it cannot be restarted from a checkpoint: start it with { checkpoint: { every, storage } }`);
    }
    const valid =
      from === "latest" ||
      (from !== null && typeof from === "object" &&
        (("savepoint" in from && typeof from.savepoint === "string") || ("checkpoint" in from && Number.isSafeInteger(from.checkpoint) && from.checkpoint >= 0)));
    if (!valid) throw new TypeError(`restart: from must be "latest", { savepoint: name } or { checkpoint: id }, got ${JSON.stringify(from)}`);
    if (from !== "latest") {
      const all = await this.checkpointing.store.list();
      const found = "checkpoint" in from ? all.some((c) => c.id === from.checkpoint) : all.some((c) => c.kind === "savepoint" && c.name === from.savepoint);
      if (!found) {
        const ids = all.map((c) => (c.kind === "savepoint" ? `${c.id} (savepoint "${c.name ?? ""}")` : String(c.id))).join(", ") || "none";
        throw new Error(`restart: no ${"checkpoint" in from ? `checkpoint ${from.checkpoint}` : `savepoint named ${JSON.stringify(from.savepoint)}`} in the checkpoint storage (retained: ${ids}); job ${this.name} keeps running`);
      }
    }
    if (this.state === "running") {
      // A final checkpoint, then the stop: set as soon as the checkpoint completes (a microtask, before the
      // loop's next round), so the job stops exactly at that checkpoint. A job that ends first is just stopped.
      await this.checkpoint().catch(() => undefined);
      await this.stop();
    }
    return new JobRunner(this.plan, { ...this.options, restore: from }, this.env);
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
      progress: this.progress(),
      lastCheckpoint: this.last,
    };
  }

  private progress(): JobMetrics["progress"] {
    const sources = sourcesOf(this.plan).map((n) => n.source);
    if (sources.length === 0 || sources.some((s) => !s.bounded)) return undefined;
    if (sources.every((s) => typeof s.size === "number")) {
      const total = sources.reduce((n, s) => n + (s.size ?? 0), 0);
      return { done: Math.min(total, this.recordsIn), total, unit: "records" };
    }
    if (this.splits.length === 0) return undefined;
    return { done: this.splits.filter((s) => s.ended).length, total: this.splits.length, unit: "splits" };
  }

  // ---------------------------------------------------------------------------------------------

  private async run(restore: StartOptions["restore"]): Promise<void> {
    // Let the caller attach handlers (and the cell finish) before any work.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      const splits = new Map<number, readonly SourceSplit[]>();
      for (const node of sourcesOf(this.plan)) splits.set(node.id, await node.source.splits());
      this.physical = buildPhysicalPlan(this.plan, splits, () => this.env.now(), this.parallel);
      this.stateEnvironment = attachStateBackends(this.physical.operators, this.stateOptions);
      const snapshot = restore === undefined ? undefined : await this.readSnapshot(restore);
      if (this.checkpointing !== undefined) {
        const stored = await this.checkpointing.store.list();
        this.nextCheckpointId = Math.max(0, ...stored.map((c) => c.id)) + 1;
      }
      if (snapshot !== undefined) {
        for (const { key, operator } of this.physical.operators) {
          const state = snapshot.operators[key];
          if (state === undefined) throw new Error(`the checkpoint has no state for operator ${key}`);
          operator.restoreState(state);
        }
      }
      for (const s of this.physical.sinks) await s.operator.sink.open?.();
      for (const entry of this.physical.splits) {
        const saved = snapshot?.splits[entry.key];
        if (snapshot !== undefined && saved === undefined) throw new Error(`the checkpoint has no position for source split ${entry.key}`);
        const position = saved?.position as Parameters<typeof entry.node.source.open>[1];
        const reader = await entry.node.source.open(entry.split, position);
        this.splits.push({ entry, reader, ended: saved?.ended ?? false });
      }
      await this.loop();
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.state = "failed";
    }
    this.failRequests(new Error(`job ${this.name} ended (${this.state}) before the checkpoint was taken`));
    await this.endCheckpointing();
    await this.closeAll();
    releaseKeyedState(this.physical?.operators ?? []);
    this.stateEnvironment?.close();
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
        if (this.stopRequested === "stop") {
          await this.drainParallel();
          await this.writeSinks();
        }
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
      await this.settle();
      const finished = this.splits.every((s) => s.ended);
      if (finished) {
        this.endOfInput();
        await this.settle();
      }
      this.busyMs += performance.now() - roundStart;
      await this.writeSinks();
      if (finished) {
        this.state = "finished";
        this.failRequests(new Error(`job ${this.name} finished before the checkpoint was taken`));
        return;
      }
      await this.maybeCheckpoint();
      if (read === 0 && waiting > 0) await sleep(Math.min(IDLE_WAIT, this.watermarkInterval));
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Lets the asynchronous operators (lookup joins) finish this round's work, upstream first. */
  private async settle(): Promise<void> {
    for (const { operator } of this.physical!.operators) if (operator.settle !== undefined) await operator.settle();
  }

  /**
   * Parallel keyed operators pipeline their batches across rounds: before a barrier or a stop, every
   * batch in flight to a worker thread comes back and its outputs reach the sinks (none is in flight after).
   */
  private async drainParallel(): Promise<void> {
    const parallel = this.physical?.parallel ?? [];
    if (parallel.length === 0) return;
    for (const p of parallel) p.drainAtNextSettle();
    await this.settle();
    await this.writeSinks();
  }

  /** At a round boundary (no record in flight): the periodic checkpoint when due, and requested ones. */
  private async maybeCheckpoint(): Promise<void> {
    if (this.checkpointing === undefined) return;
    const requests = this.requests;
    this.requests = [];
    if (this.writeFailure !== undefined) {
      for (const r of requests) r.reject(this.writeFailure);
      throw this.writeFailure;
    }
    // A periodic checkpoint is due once the interval passed and the previous one's write is done (a slow
    // store delays checkpoints instead of stalling the job).
    const due = this.env.now() - this.lastCheckpointAt >= this.checkpointing.every && this.writing === undefined;
    try {
      if (due && !requests.some((r) => r.kind === "checkpoint")) await this.takeCheckpoint("checkpoint", undefined, false);
      for (const r of requests) r.resolve((await this.takeCheckpoint(r.kind, r.name, true))!);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const r of requests) r.reject(failure);
      throw failure;
    }
  }

  /**
   * The barrier: flushes the sinks, snapshots splits and operators, and stores the checkpoint. Requested
   * checkpoints and savepoints (`wait`) resolve once stored; a periodic one is written in the background
   * while the job goes on — it is restorable (complete) only once its write completes, and the sinks were
   * flushed at the barrier, so what the job writes meanwhile is after the checkpoint, as in a failure-free
   * run (a crash before the write completes restores the previous checkpoint and replays from there).
   */
  private async takeCheckpoint(kind: "checkpoint" | "savepoint", name: string | undefined, wait: boolean): Promise<CheckpointInfo | undefined> {
    const started = performance.now();
    const physical = this.physical!;
    const checkpointing = this.checkpointing!;
    // One write at a time: a chain's delta names its parent, which must be stored first.
    if (this.writing !== undefined) await this.writing;
    if (this.writeFailure !== undefined) throw this.writeFailure;
    await this.drainParallel();
    for (const { operator } of physical.sinks) await operator.sink.flush?.();
    for (const p of physical.parallel) await p.prepareSnapshot();
    const snapshot: JobSnapshot = { shape: [...physical.shape], splits: {}, operators: {} };
    for (const split of this.splits) snapshot.splits[split.entry.key] = { position: split.reader.position(), ended: split.ended };
    // Incremental: keyed operators write the keys changed since the chain's last checkpoint (savepoints are always full).
    const chain = kind === "checkpoint" ? checkpointing.chain : undefined;
    // A delta, unless a full snapshot visits fewer keys (most changed keys were deleted: windows fired).
    const next = chain?.next();
    const delta = next !== undefined && fullIsSmaller(physical.operators.map((o) => o.operator)) ? undefined : next;
    for (const { key, operator } of physical.operators) {
      if (delta !== undefined && isIncremental(operator)) snapshot.operators[key] = operator.snapshotChanges();
      else {
        snapshot.operators[key] = operator.snapshotState();
        if (chain !== undefined && isIncremental(operator)) operator.trackChanges();
      }
    }
    const info: Omit<CheckpointInfo, "bytes" | "completedAt"> = { id: this.nextCheckpointId++, kind, pipeline: fingerprint(physical.shape), ...delta };
    if (name !== undefined) Object.assign(info, { name });
    const bytes = encodeSnapshot(snapshot);
    const write = checkpointing.store.write(info, bytes).then(
      (stored) => {
        chain?.written(stored);
        this.last = { id: stored.id, completedAt: stored.completedAt, bytes: stored.bytes, durationMs: performance.now() - started };
        this.startMaterialization();
        return stored;
      },
      (error: unknown) => {
        chain?.reset(); // the changes taken are in no stored checkpoint: the next one must be full
        throw error;
      },
    );
    if (wait || bytes.byteLength < checkpointing.backgroundAbove) {
      const stored = await write;
      this.lastCheckpointAt = this.env.now();
      return stored;
    }
    this.lastCheckpointAt = this.env.now();
    const writing = write.then(
      () => undefined,
      (error: unknown) => {
        this.writeFailure = error instanceof Error ? error : new Error(String(error));
      },
    );
    this.writing = writing;
    void writing.then(() => {
      if (this.writing === writing) this.writing = undefined;
    });
    return undefined;
  }

  /** With a store that can take materialised bases: folds the chain into a new base off the job's thread when due. */
  private startMaterialization(): void {
    const checkpointing = this.checkpointing!;
    const chain = checkpointing.chain;
    const store = checkpointing.store;
    if (chain === undefined || !chain.background || this.materializing !== undefined || !canMaterialize(store)) return;
    const target = chain.due();
    if (target === undefined) return;
    this.materializer ??= new ChainMaterializer();
    const materializer = this.materializer;
    const run = (async () => {
      try {
        const info = await materializer.materialize(store, target, (commit) => {
          this.committing = commit;
        });
        chain.materialized(info);
      } catch {
        // The chain stays as it was (valid); the next written checkpoint tries again, and a chain that
        // grows too long makes the job write a full checkpoint itself (ChainPolicy).
      } finally {
        this.committing = undefined;
        this.materializing = undefined;
      }
    })();
    this.materializing = run;
  }

  /** At the job's end: waits for the checkpoint being written (its failure fails the job) and ends materialisation. */
  private async endCheckpointing(): Promise<void> {
    if (this.writing !== undefined) await this.writing;
    if (this.writeFailure !== undefined) this.failure ??= this.writeFailure;
    // A fold still running is abandoned (the chain stays valid); a commit into the store is let finish.
    if (this.committing !== undefined) await this.committing.catch(() => undefined);
    await this.materializer?.close();
    await this.materializing;
  }

  private async readSnapshot(restore: NonNullable<StartOptions["restore"]>): Promise<JobSnapshot | undefined> {
    const store = this.checkpointing!.store;
    const all = await store.list();
    const info =
      restore === "latest"
        ? all.at(-1)
        : "checkpoint" in restore
          ? all.find((c) => c.id === restore.checkpoint)
          : all.find((c) => c.kind === "savepoint" && c.name === restore.savepoint);
    if (info === undefined) {
      if (restore === "latest") return undefined; // nothing stored yet: a fresh start
      if ("checkpoint" in restore) {
        const ids = all.map((c) => c.id).join(", ");
        throw new Error(`no checkpoint ${restore.checkpoint} in the checkpoint storage (retained: ${ids === "" ? "none" : ids})`);
      }
      throw new Error(`no savepoint named ${JSON.stringify(restore.savepoint)} in the checkpoint storage`);
    }
    const physical = this.physical!;
    const snapshot = info.parent === undefined ? (decodeSnapshot(await store.read(info)) as JobSnapshot) : await readChain(store, info, all, foldJobSnapshot);
    if (info.pipeline !== fingerprint(physical.shape)) {
      const stored = snapshot.shape ?? [];
      const differs = physical.shape.findIndex((s, i) => s !== stored[i]);
      const at = differs < 0 ? Math.min(stored.length, physical.shape.length) : differs;
      throw new Error(
        `checkpoint ${info.id} was written by a different pipeline and cannot be restored into this one: operator ${at} is ` +
          `${physical.shape[at] ?? "(none)"} here, ${stored[at] ?? "(none)"} in the checkpoint`,
      );
    }
    return snapshot;
  }

  private failRequests(error: Error): void {
    const requests = this.requests;
    this.requests = [];
    for (const r of requests) r.reject(error);
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
    for (const p of this.physical?.parallel ?? []) {
      try {
        await p.close();
      } catch (error) {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
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

/** The pipeline fingerprint stored with checkpoints. */
function fingerprint(shape: readonly string[]): string {
  return createHash("sha256").update(shape.join("\n")).digest("hex").slice(0, 16);
}

/** Checked checkpoint options. */
interface Checkpointing {
  readonly every: number;
  readonly store: CheckpointStore;
  readonly chain: ChainPolicy | undefined;
  /** Periodic checkpoints of at least this many bytes are written in the background. */
  readonly backgroundAbove: number;
}

/** Default of `checkpoint.backgroundAbove`: 1 MiB. */
export const DEFAULT_BACKGROUND_ABOVE = 1 << 20;

function checkCheckpointOptions(options: CheckpointOptions): Checkpointing {
  if (options === null || typeof options !== "object") throw new TypeError("start: checkpoint must be { every, storage }");
  if (!Number.isInteger(options.every) || options.every < 1) {
    throw new RangeError(`start: checkpoint.every must be a positive integer (ms), got ${String(options.every)}`);
  }
  if (options.incremental !== undefined && typeof options.incremental !== "boolean") {
    throw new TypeError(`start: checkpoint.incremental must be true or false, got ${String(options.incremental)}`);
  }
  const fullEvery = options.fullEvery ?? DEFAULT_FULL_EVERY;
  if (!Number.isSafeInteger(fullEvery) || fullEvery < 1) throw new RangeError(`start: checkpoint.fullEvery must be an integer ≥ 1, got ${String(options.fullEvery)}`);
  const storage = options.storage;
  let store: CheckpointStore;
  if (typeof storage === "string") store = new DirectoryCheckpointStore(storage, options.retain ?? 3);
  else if (storage === null || typeof storage !== "object" || typeof storage.write !== "function") {
    throw new TypeError("start: checkpoint.storage must be a directory path or a checkpoint store");
  } else store = storage;
  // Deltas only into a store whose retention keeps the chains they need.
  // With a store that can materialise, new bases are built in the background and the job writes deltas only.
  const chain = options.incremental !== false && store.keepsChains === true && fullEvery > 1 ? new ChainPolicy(fullEvery, canMaterialize(store)) : undefined;
  const backgroundAbove = options.backgroundAbove ?? DEFAULT_BACKGROUND_ABOVE;
  if (typeof backgroundAbove !== "number" || Number.isNaN(backgroundAbove) || backgroundAbove < 0) {
    throw new RangeError(`start: checkpoint.backgroundAbove must be a number of bytes ≥ 0 (or Infinity), got ${String(options.backgroundAbove)}`);
  }
  return { every: options.every, store, chain, backgroundAbove };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
