/**
 * A keyed operator (window or process function) run by worker threads, as seen by the rest of the job:
 * it takes the place of the single-threaded operator in the physical plan. Records are routed by key
 * group to their worker (folded first into partial accumulators when the operator allows it,
 * `pre-aggregation.ts`) and sent in batches, pipelined: the main thread never waits for a reply before
 * sending more, up to {@link MAX_IN_FLIGHT} unanswered batches per worker. The combined input watermark,
 * idleness changes and processing-time ticks go to every worker in their place among the records. In
 * `settle()` (the job calls it every round) the outputs received so far are passed downstream: each
 * worker's records up to its next watermark, then that watermark once all workers reached it — so every
 * firing a watermark causes is emitted before the watermark, and each key's outputs keep their order.
 * Before a barrier, a stop and at the end of input it drains: everything is sent and every reply awaited.
 *
 * Keyed exchange ({@link linkTo}): when its records all go to the next keyed operator, its workers send
 * them straight to that operator's workers (MessageChannels made here at start); the next operator's
 * stand-in then takes only what its workers push back, and a drain sends a flush marker down the chain
 * and waits until every worker of every linked operator has passed it.
 */
import { MessageChannel, type MessagePort } from "node:worker_threads";
import type { OutputTag } from "../../api/output-tag.js";
import type { PlanNode } from "../../api/graph.js";
import type { Operator, OperatorCounters, Output } from "../operator.js";
import { WatermarkValve } from "../../time/watermark-valve.js";
import { END_OF_TIME, NO_WATERMARK } from "../../time/watermark.js";
import { UserFunctionError } from "../user-function-error.js";
import { KeyRouter } from "./key-router.js";
import { PreAggregator, preAggregationLayout } from "./pre-aggregation.js";
import { packInputs, unpackOutputs } from "./record-packing.js";
import type { ParallelPlan } from "./parallel-plan.js";
import type { Shipped } from "./shipped.js";
import { mergeStates, splitState } from "./state-partition.js";
import { WorkerHandle } from "./worker-handle.js";
import type { InputEvent, OutputEvent, WorkerFailure, WorkerPush, WorkerReply } from "./worker-protocol.js";

type KeyedNode = Extract<PlanNode, { kind: "window" | "process" }>;

/** Events queued for one worker before they are sent without waiting for the round's end. */
const CHUNK = 2048;
/** At a round's end, a worker with nothing in flight gets its queue once it holds this many events… */
const MIN_SEND = 256;
/** …or once it has been held this many rounds (a message costs tens of µs: small ones are gathered). */
const MAX_HELD_ROUNDS = 8;

/**
 * Sent batches a worker may have unanswered before `settle()` waits for its oldest reply
 * (backpressure: the main thread runs at most this far ahead of a worker).
 */
const MAX_IN_FLIGHT = 6;

/**
 * Exchange messages (per upstream worker) a worker fed by the keyed exchange may have unread before
 * `settle()` waits for it to catch up (backpressure along the exchange).
 */
const MAX_UNREAD_PER_CHANNEL = 8;

/** A keyed operator whose keys are spread over `parallelism` worker threads. */
export class ParallelKeyedOperator implements Operator {
  readonly counters: OperatorCounters = { recordsIn: 0, recordsOut: 0, watermark: NO_WATERMARK, lateRecordsDropped: 0 };
  private readonly valve: WatermarkValve;
  private readonly workers: WorkerHandle[];
  /** Which worker owns a key. */
  private readonly router: KeyRouter;
  private queues: InputEvent[][];
  /** Per worker, the rounds its queue has been held back (see {@link MAX_HELD_ROUNDS}). */
  private readonly held: number[];
  /** The processing time of the latest tick (at first, the start): the clock events are queued at. */
  private clock: number;
  /** Per worker, the clock when its queue's first event was queued: the batch's `now` (a worker's clock never goes back). */
  private readonly queuedAt: number[];
  /** Per worker, the batches sent and not yet answered (each settles once its reply is taken in). */
  private readonly inflight: Promise<void>[][];
  /** Per worker, the outputs received and not yet passed downstream, from `received[w][consumed[w]]` on. */
  private received: OutputEvent[][];
  private readonly consumed: number[];
  /** Per worker, the first failure it reported (thrown at the next settle, the lowest worker's first). */
  private readonly failures: (Error | undefined)[];
  /** The next settle waits for every batch in flight (a barrier, a stop); also once the end of time was sent. */
  private draining = false;
  /** Folds records into partial accumulators before they are shipped, when the operator allows it. */
  private readonly folder: PreAggregator | undefined;
  /** Replies to init/restore not yet checked. */
  private startup: Promise<void>[] = [];
  private prepared: unknown;
  private closed = false;
  /** The next keyed operator, when this one's records go straight to its workers (the keyed exchange). */
  private downstream: ParallelKeyedOperator | undefined;
  /** The previous keyed operator, when this one is fed by its workers (then nothing comes from the main thread). */
  private upstream: ParallelKeyedOperator | undefined;
  /** Head of an exchange chain: nothing is sent before every linked worker is ready (init, connect, restore). */
  private opened = true;
  /** Flush markers sent down the chain so far (the head), and the one this operator waits for (undefined: none). */
  private flushes = 0;
  private awaitedFlush: number | undefined;
  /** Fed by the exchange, per worker: messages sent to it, messages it read, the latest flush it passed. */
  private readonly posted: number[];
  private readonly read: number[];
  private readonly flushed: number[];

  constructor(
    private readonly node: KeyedNode,
    private readonly out: Output,
    readonly channels: number,
    private readonly now: () => number,
    private readonly parallel: ParallelPlan,
  ) {
    const n = parallel.parallelism;
    this.valve = new WatermarkValve(channels);
    this.router = new KeyRouter(n);
    this.queues = Array.from({ length: n }, () => []);
    this.inflight = Array.from({ length: n }, () => []);
    this.held = Array.from({ length: n }, () => 0);
    this.clock = now();
    this.queuedAt = Array.from({ length: n }, () => this.clock);
    this.received = Array.from({ length: n }, () => []);
    this.consumed = Array.from({ length: n }, () => 0);
    this.failures = Array.from({ length: n }, () => undefined);
    const layout = preAggregationLayout(node);
    this.folder =
      layout === undefined || node.kind !== "window"
        ? undefined
        : new PreAggregator(node, layout, (id) => this.router.workerOfId(id));
    const operator = parallel.operators.get(node.id);
    if (operator === undefined) throw new Error(`operator ${node.name} was not prepared for parallel execution`);
    this.posted = Array.from({ length: n }, () => 0);
    this.read = Array.from({ length: n }, () => 0);
    this.flushed = Array.from({ length: n }, () => 0);
    this.workers = Array.from({ length: n }, (_, i) => new WorkerHandle(`${node.name} [${i + 1}/${n}]`, (push) => this.receivePush(i, push)));
    const start = this.clock;
    this.workers.forEach((w, i) => this.expect(i, w.request({ type: "init", operator, captures: parallel.captures, now: start })));
  }

  /** The operator's name (for errors and metrics). */
  get name(): string {
    return this.node.name;
  }

  /** How many worker threads run it. */
  get parallelism(): number {
    return this.workers.length;
  }

  /** Whether its records go straight to the next keyed operator's workers / it is fed by the previous one's. */
  get exchange(): { readonly sends: boolean; readonly receives: boolean } {
    return { sends: this.downstream !== undefined, receives: this.upstream !== undefined };
  }

  /**
   * The keyed exchange: this operator's records (all of them: `next` must be its only consumer, with
   * one input) go from its workers straight to `next`'s workers, keyed there by `key` (`next`'s key
   * selector, shipped). Called when the job's plan is built, before any record.
   */
  linkTo(next: ParallelKeyedOperator, key: Shipped): void {
    if (this.downstream !== undefined || next.upstream !== undefined || next.channels !== 1) {
      throw new Error(`operator ${this.name}: cannot link it to ${next.name} (internal error)`);
    }
    const senders = this.workers.length;
    const receivers = next.workers.length;
    const outs: MessagePort[][] = Array.from({ length: senders }, () => []);
    const ins: MessagePort[][] = Array.from({ length: receivers }, () => []);
    for (let i = 0; i < senders; i++) {
      for (let j = 0; j < receivers; j++) {
        const { port1, port2 } = new MessageChannel();
        outs[i]!.push(port1);
        ins[j]!.push(port2);
      }
    }
    this.workers.forEach((w, i) =>
      this.expect(i, w.request({ type: "connect", outputs: { ports: outs[i]!, key, operator: next.name } }, outs[i]!)),
    );
    next.workers.forEach((w, j) => next.expect(j, w.request({ type: "connect", inputs: ins[j]! }, ins[j]!)));
    this.downstream = next;
    next.upstream = this;
    if (this.upstream === undefined) this.opened = false;
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    if (this.upstream !== undefined) throw new Error(`operator ${this.name} is fed by the keyed exchange: no record comes from the main thread (internal error)`);
    this.counters.recordsIn++;
    let key: unknown;
    let worker: number;
    try {
      key = this.node.key(value);
      // Folded into a partial accumulator when it may be (it knows the key's worker).
      if (this.folder !== undefined && this.folder.add(key, value, timestamp, this.valve.watermark)) return;
      worker = this.router.workerOf(key);
    } catch (error) {
      throw error instanceof UserFunctionError ? error : new UserFunctionError(this.node.name, value, error);
    }
    const queue = this.queues[worker]!;
    if (queue.length === 0) this.queuedAt[worker] = this.clock;
    queue.push([0, key, value, timestamp]);
    if (queue.length >= CHUNK && this.opened) this.send(worker);
  }

  processWatermark(value: number, channel: number): void {
    const change = this.valve.inputWatermark(channel, value);
    // Fed by the exchange, the workers get it from the previous operator's; the valve is kept for checkpoints.
    if (this.upstream === undefined) this.control(change);
  }

  processIdle(idle: boolean, channel: number): void {
    const change = this.valve.inputIdle(channel, idle);
    if (this.upstream === undefined) this.control(change);
  }

  onProcessingTime(now: number): void {
    // Fed by the exchange, the ticks come through it (after the previous operator's).
    if (this.upstream === undefined) this.broadcast([3, now]);
    this.clock = now;
  }

  /**
   * Makes the next {@link settle} wait for every batch in flight, so that afterwards no record of this
   * operator is on its way (the job calls it before a checkpoint's barrier and when it stops).
   */
  drainAtNextSettle(): void {
    this.draining = true;
  }

  /**
   * Pipelined: sends a worker its queue when it has nothing in flight and the queue is worth a message
   * ({@link MIN_SEND} events, or held {@link MAX_HELD_ROUNDS} rounds; a busy worker's events gather
   * into one larger message, sent at {@link CHUNK} events), and passes downstream the outputs received
   * so far — without waiting for replies, unless a worker has more than {@link MAX_IN_FLIGHT} batches
   * unanswered (it waits for the oldest: backpressure) or it drains (a barrier, a stop, the end of
   * input: then it sends everything and waits for every reply).
   */
  async settle(): Promise<void> {
    // After the end of input (the end-of-time watermark went out), every settle waits for everything.
    const all = this.draining || this.valve.watermark === END_OF_TIME;
    this.draining = false;
    if (!this.opened) {
      // The head of an exchange chain: every linked worker must be ready before the first record goes.
      await this.downstream!.chainStartup();
      this.opened = true;
    }
    if (all && this.downstream !== undefined && this.upstream === undefined) {
      // A drain: a flush marker down the chain, after everything sent so far.
      const id = ++this.flushes;
      this.broadcast([5, id]);
      this.downstream.expectFlush(id);
    }
    this.flushFolder();
    for (let w = 0; w < this.queues.length; w++) {
      const length = this.queues[w]!.length;
      if (length === 0) continue;
      if (all || (this.inflight[w]!.length === 0 && (length >= MIN_SEND || ++this.held[w]! >= MAX_HELD_ROUNDS))) this.send(w);
    }
    if (all && this.startup.length > 0) {
      const startup = this.startup;
      this.startup = [];
      await Promise.all(startup);
    }
    for (let w = 0; w < this.inflight.length; w++) {
      const inflight = this.inflight[w]!;
      if (all) {
        while (inflight.length > 0) await inflight[0];
      } else {
        while (inflight.length > MAX_IN_FLIGHT) await inflight[0];
      }
    }
    if (this.upstream !== undefined) await this.awaitExchange();
    this.throwFailure();
    this.emitReceived();
  }

  /** Every linked operator's startup replies, from this one down the chain. */
  private chainStartup(): Promise<unknown> {
    return Promise.all([...this.startup, this.downstream?.chainStartup()]);
  }

  /** Fed by the exchange: the next settle waits until every worker passed flush marker `id` (and so does the next operator's). */
  private expectFlush(id: number): void {
    this.awaitedFlush = id;
    this.downstream?.expectFlush(id);
  }

  /**
   * Fed by the exchange: waits for each worker's pushes until it has passed the awaited flush marker
   * and is at most {@link MAX_UNREAD_PER_CHANNEL} messages per channel behind (backpressure).
   */
  private async awaitExchange(): Promise<void> {
    const flush = this.awaitedFlush;
    const limit = MAX_UNREAD_PER_CHANNEL * this.upstream!.workers.length;
    for (let w = 0; w < this.workers.length; w++) {
      while (this.failures[w] === undefined && ((flush !== undefined && this.flushed[w]! < flush) || this.posted[w]! - this.read[w]! > limit)) {
        try {
          await this.workers[w]!.nextPush();
        } catch (error) {
          this.failures[w] ??= error instanceof Error ? error : new Error(String(error));
        }
      }
    }
    if (this.awaitedFlush === flush) this.awaitedFlush = undefined;
  }

  /** A push from worker `w` (fed by the exchange): its outputs kept until {@link emitReceived}, its progress noted. */
  private receivePush(w: number, push: WorkerPush): void {
    if (this.failures[w] !== undefined) return;
    if (!("outputs" in push)) {
      this.failures[w] = rebuildError(push.failure);
      return;
    }
    this.counters.recordsIn += push.recordsIn;
    this.counters.lateRecordsDropped += push.lateRecordsDropped;
    this.read[w] = push.consumed;
    if (push.flushed > this.flushed[w]!) this.flushed[w] = push.flushed;
    this.noteRouted(push.routed, push.posted);
    const list = this.received[w]!;
    for (const e of unpackOutputs(push.outputs)) list.push(e);
  }

  /** Records this operator's workers sent through the exchange, and the messages each next worker got. */
  private noteRouted(routed: number, posted: readonly number[] | undefined): void {
    this.counters.recordsOut += routed;
    const next = this.downstream;
    if (posted === undefined || next === undefined) return;
    for (let j = 0; j < posted.length; j++) next.posted[j]! += posted[j]!;
  }

  /** Sends worker `w`'s queued events now (their outputs are taken in as they come back). */
  private send(w: number): void {
    this.flushFolder();
    const events = this.queues[w]!;
    this.queues[w] = [];
    this.held[w] = 0;
    const inflight = this.inflight[w]!;
    const { packed, transfer } = packInputs(events);
    const taken = this.workers[w]!.request({ type: "batch", now: this.queuedAt[w]!, events: packed }, transfer).then(
      (reply) => this.receive(w, reply),
      (error: unknown) => this.receive(w, undefined, error),
    ).finally(() => {
      inflight.shift();
    });
    inflight.push(taken);
  }

  /** A worker's reply to a batch (in order): its outputs are kept until {@link emitReceived}. */
  private receive(w: number, reply: WorkerReply | undefined, error?: unknown): void {
    if (this.failures[w] !== undefined) return;
    if (reply === undefined) {
      this.failures[w] = error instanceof Error ? error : new Error(String(error));
    } else if (reply.type === "error") {
      this.failures[w] = rebuildError(reply.failure);
    } else if (reply.type !== "batch") {
      this.failures[w] = new Error(`operator ${this.name}: a worker answered ${reply.type} to a batch`);
    } else {
      this.counters.lateRecordsDropped += reply.lateRecordsDropped;
      this.noteRouted(reply.routed, reply.posted);
      const list = this.received[w]!;
      for (const e of unpackOutputs(reply.outputs)) list.push(e);
    }
  }

  private throwFailure(): void {
    for (const f of this.failures) if (f !== undefined) throw f;
  }

  /** Collects the workers' state (the job calls it at a round boundary, right before {@link snapshotState}). */
  async prepareSnapshot(): Promise<void> {
    this.draining = true;
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
    this.workers.forEach((w, i) => this.expect(i, w.request({ type: "restore", state: parts[i] })));
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
    if (change.watermark !== undefined) {
      this.broadcast([1, change.watermark]);
    }
  }

  private broadcast(event: InputEvent): void {
    this.flushFolder();
    for (let w = 0; w < this.queues.length; w++) {
      const queue = this.queues[w]!;
      if (queue.length === 0) this.queuedAt[w] = this.clock;
      queue.push(event);
    }
  }

  /** Pre-aggregated accumulators into the queues (folded since the latest tick: queued at {@link clock}). */
  private flushFolder(): void {
    if (this.folder === undefined) return;
    for (let w = 0; w < this.queues.length; w++) if (this.queues[w]!.length === 0) this.queuedAt[w] = this.clock;
    this.folder.flush(this.queues);
  }

  /** Init and restore replies: not awaited (batches queue behind them in the worker); a failure is kept for the next settle. */
  private expect(w: number, reply: Promise<WorkerReply>): void {
    this.startup.push(
      reply.then(
        (r) => {
          if (r.type === "error") this.failures[w] ??= rebuildError(r.failure);
        },
        (error: unknown) => {
          this.failures[w] ??= error instanceof Error ? error : new Error(String(error));
        },
      ),
    );
  }

  /**
   * Passes downstream what the workers sent back so far: each worker's records up to its next control
   * event (watermark, idleness), then that event once all workers have reached it (they all get the same
   * ones, in the same order). A worker's records after a control event wait until it is emitted.
   */
  private emitReceived(): void {
    const received = this.received;
    const pos = this.consumed;
    const tags = this.parallel.tags;
    const n = received.length;
    for (;;) {
      for (let w = 0; w < n; w++) {
        const list = received[w]!;
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
      // A control event goes on once every worker has it next.
      let ready = true;
      for (let w = 0; w < n && ready; w++) if (pos[w]! >= received[w]!.length) ready = false;
      if (!ready) break;
      const event = received[0]![pos[0]!]!;
      for (let w = 0; w < n; w++) {
        const other = received[w]![pos[w]!]!;
        if (other[0] !== event[0] || other[1] !== event[1]) {
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
    // Forget what was passed on.
    for (let w = 0; w < n; w++) {
      const list = received[w]!;
      if (pos[w] === list.length) received[w] = [];
      else if (pos[w]! > 0) received[w] = list.slice(pos[w]);
      pos[w] = 0;
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
