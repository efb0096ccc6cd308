/**
 * A keyed operator (window or process function) run by worker threads, as seen by the rest of the job:
 * it takes the place of the single-threaded operator in the physical plan. Records are routed by key
 * group to their worker and sent in batches: a message per {@link CHUNK} events (so workers already
 * work while the main thread reads the rest of the round) and the remainder at the round's end. The
 * combined input watermark, idleness changes and processing-time ticks go to every worker in their
 * place among the records. In `settle()` (the job awaits it every round) the workers' outputs come back and are passed
 * downstream: each worker's records up to its next watermark, then that watermark once — so every
 * firing a watermark causes is emitted before the watermark, and each key's outputs keep their order.
 */
import type { OutputTag } from "../../api/output-tag.js";
import type { PlanNode } from "../../api/graph.js";
import type { Operator, OperatorCounters, Output } from "../operator.js";
import { WatermarkValve } from "../../time/watermark-valve.js";
import { NO_WATERMARK } from "../../time/watermark.js";
import { UserFunctionError } from "../user-function-error.js";
import { keyGroupOf, KEY_GROUPS, workerOfGroup } from "./key-group.js";
import type { ParallelPlan } from "./parallel-plan.js";
import { mergeStates, splitState } from "./state-partition.js";
import { WorkerHandle } from "./worker-handle.js";
import type { InputEvent, OutputEvent, WorkerFailure, WorkerReply } from "./worker-protocol.js";

type KeyedNode = Extract<PlanNode, { kind: "window" | "process" }>;

/** Events queued for one worker before they are sent without waiting for the round's end. */
const CHUNK = 512;

/** A keyed operator whose keys are spread over `parallelism` worker threads. */
export class ParallelKeyedOperator implements Operator {
  readonly counters: OperatorCounters = { recordsIn: 0, recordsOut: 0, watermark: NO_WATERMARK, lateRecordsDropped: 0 };
  private readonly valve: WatermarkValve;
  private readonly workers: WorkerHandle[];
  private readonly owner: Int32Array;
  private queues: InputEvent[][];
  private queued = false;
  /** Per worker, the replies to batches sent this round, in order. */
  private inflight: Promise<WorkerReply>[][];
  /** Replies to init/restore not yet checked. */
  private startup: Promise<WorkerReply>[] = [];
  private prepared: unknown;
  private closed = false;

  constructor(
    private readonly node: KeyedNode,
    private readonly out: Output,
    readonly channels: number,
    private readonly now: () => number,
    private readonly parallel: ParallelPlan,
  ) {
    const n = parallel.parallelism;
    this.valve = new WatermarkValve(channels);
    this.owner = new Int32Array(KEY_GROUPS);
    for (let g = 0; g < KEY_GROUPS; g++) this.owner[g] = workerOfGroup(g, n);
    this.queues = Array.from({ length: n }, () => []);
    this.inflight = Array.from({ length: n }, () => []);
    const operator = parallel.operators.get(node.id);
    if (operator === undefined) throw new Error(`operator ${node.name} was not prepared for parallel execution`);
    this.workers = Array.from({ length: n }, (_, i) => new WorkerHandle(`${node.name} [${i + 1}/${n}]`));
    const start = now();
    for (const w of this.workers) this.expect(w.request({ type: "init", operator, captures: parallel.captures, now: start }));
  }

  /** The operator's name (for errors and metrics). */
  get name(): string {
    return this.node.name;
  }

  /** How many worker threads run it. */
  get parallelism(): number {
    return this.workers.length;
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    this.counters.recordsIn++;
    let group: number;
    let key: unknown;
    try {
      key = this.node.key(value);
      group = keyGroupOf(key);
    } catch (error) {
      throw error instanceof UserFunctionError ? error : new UserFunctionError(this.node.name, value, error);
    }
    const worker = this.owner[group]!;
    const queue = this.queues[worker]!;
    queue.push([0, key, value, timestamp]);
    this.queued = true;
    if (queue.length >= CHUNK) this.send(worker);
  }

  processWatermark(value: number, channel: number): void {
    this.control(this.valve.inputWatermark(channel, value));
  }

  processIdle(idle: boolean, channel: number): void {
    this.control(this.valve.inputIdle(channel, idle));
  }

  onProcessingTime(now: number): void {
    this.broadcast([3, now]);
  }

  /** Sends the round's events to the workers and passes their outputs downstream. */
  async settle(): Promise<void> {
    await this.checkStartup();
    if (!this.queued) return;
    this.queued = false;
    for (let w = 0; w < this.queues.length; w++) if (this.queues[w]!.length > 0) this.send(w);
    const inflight = this.inflight;
    this.inflight = inflight.map(() => []);
    const answers = await Promise.all(inflight.map((replies) => Promise.all(replies)));
    const outputs: (readonly OutputEvent[])[] = [];
    for (const replies of answers) {
      if (replies.length === 0) continue;
      const merged: OutputEvent[] = [];
      for (const answer of replies) {
        if (answer.type === "error") throw rebuildError(answer.failure);
        if (answer.type !== "batch") throw new Error(`operator ${this.name}: a worker answered ${answer.type} to a batch`);
        this.counters.lateRecordsDropped += answer.lateRecordsDropped;
        for (const e of answer.outputs) merged.push(e);
      }
      outputs.push(merged);
    }
    this.emitMerged(outputs);
  }

  /** Sends worker `w`'s queued events now (their outputs are collected at {@link settle}). */
  private send(w: number): void {
    const events = this.queues[w]!;
    this.queues[w] = [];
    const reply = this.workers[w]!.request({ type: "batch", now: this.now(), events });
    reply.catch(() => {}); // awaited (and thrown) in settle
    this.inflight[w]!.push(reply);
  }

  /** Collects the workers' state (the job calls it at a round boundary, right before {@link snapshotState}). */
  async prepareSnapshot(): Promise<void> {
    await this.settle();
    const answers = await Promise.all(this.workers.map((w) => w.request({ type: "snapshot" })));
    const parts = answers.map((a) => {
      if (a.type === "error") throw rebuildError(a.failure);
      if (a.type !== "snapshot") throw new Error(`operator ${this.name}: a worker answered ${a.type} to a snapshot`);
      return a.state;
    });
    this.prepared = mergeStates(this.name, this.valve.snapshot(), parts);
  }

  snapshotState(): unknown {
    const state = this.prepared;
    if (state === undefined) throw new Error(`operator ${this.name}: the workers' state was not collected before the snapshot (prepareSnapshot)`);
    this.prepared = undefined;
    return state;
  }

  restoreState(state: unknown): void {
    const parts = splitState(this.name, state, this.workers.length);
    this.valve.restore((state as { valve: ReturnType<WatermarkValve["snapshot"]> }).valve);
    this.counters.watermark = this.valve.watermark;
    this.workers.forEach((w, i) => this.expect(w.request({ type: "restore", state: parts[i] })));
  }

  /** Terminates the worker threads (the job calls it when it ends, however it ends). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  // ---------------------------------------------------------------------------------------------

  private control(change: { idle?: boolean; watermark?: number }): void {
    if (change.idle !== undefined) this.broadcast([2, change.idle]);
    if (change.watermark !== undefined) this.broadcast([1, change.watermark]);
  }

  private broadcast(event: InputEvent): void {
    for (const q of this.queues) q.push(event);
    this.queued = true;
  }

  private expect(reply: Promise<WorkerReply>): void {
    reply.catch(() => {}); // checked (and thrown) at the next settle
    this.startup.push(reply);
  }

  private async checkStartup(): Promise<void> {
    if (this.startup.length === 0) return;
    const startup = this.startup;
    this.startup = [];
    for (const reply of await Promise.all(startup)) if (reply.type === "error") throw rebuildError(reply.failure);
  }

  /** Each worker's records up to its next control event, then that event once (all workers have the same ones). */
  private emitMerged(outputs: readonly (readonly OutputEvent[])[]): void {
    const pos = outputs.map(() => 0);
    const tags = this.parallel.tags;
    for (;;) {
      for (let w = 0; w < outputs.length; w++) {
        const list = outputs[w]!;
        let p = pos[w]!;
        for (; p < list.length; p++) {
          const e = list[p]!;
          if (e[0] === 0) {
            this.counters.recordsOut++;
            this.out.collect(e[1], e[2]);
          } else if (e[0] === 1) {
            this.out.side(tags[e[1]] as OutputTag<unknown>, e[2], e[3]);
          } else {
            break;
          }
        }
        pos[w] = p;
      }
      const at = pos.findIndex((p, w) => p < outputs[w]!.length);
      if (at < 0) return;
      const event = outputs[at]![pos[at]!]!;
      for (let w = 0; w < outputs.length; w++) {
        const other = outputs[w]![pos[w]!];
        if (other === undefined || other[0] !== event[0] || other[1] !== event[1]) {
          throw new Error(`operator ${this.name}: its workers disagree on the watermark sequence (internal error)`);
        }
        pos[w]!++;
      }
      if (event[0] === 2) {
        this.counters.watermark = event[1];
        this.out.watermark(event[1]);
      } else {
        this.out.idle(event[1] as boolean);
      }
    }
  }
}

/** The error a worker reported, as the single-threaded operator would have thrown it. */
function rebuildError(failure: WorkerFailure): Error {
  if (failure.kind === "user") {
    let cause: unknown = failure.causeMessage;
    if (failure.causeIsError) {
      const e = new Error(failure.causeMessage);
      e.name = failure.causeName;
      cause = e;
    }
    return new UserFunctionError(failure.operator, failure.record, cause);
  }
  const error = new Error(failure.message);
  error.name = failure.name;
  if (failure.stack !== undefined) error.stack = failure.stack;
  return error;
}
