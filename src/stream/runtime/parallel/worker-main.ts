/**
 * The entry of a keyed-operator worker thread: rebuilds the operator from what the main thread shipped,
 * runs each batch of input events through it in order, and replies with the outputs (records, side
 * outputs, watermarks, idleness, in the order the operator produced them), its snapshots, or the error.
 * With the keyed exchange (`connect`), its records go straight to the next keyed operator's workers
 * (`exchange-router.ts`), and/or its input comes from the previous one's workers (`channel-aligner.ts`)
 * instead of main-thread batches; such a worker posts what it has for the main thread as pushes.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import type { OutputTag } from "../../api/output-tag.js";
import type { KeyedProcessFunction } from "../../api/process-function.js";
import type { WindowContext } from "../../api/window-result.js";
import type { AggregateFunction } from "../../aggregates/aggregate-function.js";
import type { Trigger } from "../../windowing/trigger.js";
import type { WindowAssigner } from "../../windowing/window-assigner.js";
import type { Operator, Output } from "../operator.js";
import { KeyedProcessOperator } from "../operators/keyed-process-operator.js";
import { WindowOperator } from "../operators/window-operator.js";
import { UserFunctionError } from "../user-function-error.js";
import { ChannelAligner, type AlignedInput } from "./channel-aligner.js";
import { ExchangeRouter, type ProducedEvent, type Routed } from "./exchange-router.js";
import { acceptingPartials, partialElement } from "./pre-aggregation.js";
import { Rebuilder } from "./rebuild.js";
import { packOutputs, unpackInputs } from "./record-packing.js";
import type { InputEvent, OutputEvent, PackedEvents, WorkerFailure, WorkerPush, WorkerReply, WorkerRequest } from "./worker-protocol.js";

const port = parentPort;
if (port === null) throw new Error("worker-main runs in a worker thread");

// Globals registered on the main thread (registerWorkerGlobal): each made here by its function.
for (const [name, create] of (workerData as { standIns?: [string, string][] } | null)?.standIns ?? []) {
  const make = (0, eval)(`(${create})`) as () => unknown;
  Object.defineProperty(globalThis, name, { value: make(), configurable: true });
}

let operator: Operator | undefined;
let rebuilder: Rebuilder | undefined;
let clock = 0;
let currentKey: unknown;
let outputs: ProducedEvent[] = [];
let reportedLate = 0;
/** The keyed exchange's sending side, when this operator's records go straight to the next one's workers. */
let exchange: ExchangeRouter | undefined;
/** The keyed exchange's receiving side, when this worker is fed by the previous operator's workers. */
let inputs: ChannelAligner | undefined;
/** Fed by the exchange: records taken in since the last push, messages received, the latest flush passed. */
let recordsIn = 0;
let consumed = 0;
let flushed = 0;
let pushedConsumed = 0;
let pushedFlushed = 0;
let pushScheduled = false;
/** A worker fed by the exchange stops at its first failure (reported once). */
let broken = false;

const output: Output = {
  collect: (value, timestamp) => outputs.push([0, value, timestamp]),
  side: (tag: OutputTag<unknown>, value, timestamp) => outputs.push([1, rebuilder!.indexOfTag(tag), value, timestamp]),
  watermark: (value) => outputs.push([2, value]),
  idle: (idle) => outputs.push([3, idle]),
};

function reply(message: WorkerReply | WorkerPush, transfer: readonly ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

/** The outputs produced so far, routed (through the exchange, when connected) and packed for the main thread. */
function takeOutputs(): { routed: Routed | undefined; packed: PackedEvents<OutputEvent>; transfer: ArrayBuffer[]; late: number } {
  const produced = outputs;
  outputs = [];
  const routed = exchange === undefined ? undefined : exchange.route(produced);
  const { packed, transfer } = packOutputs(routed === undefined ? (produced as OutputEvent[]) : routed.main);
  const total = operator!.counters.lateRecordsDropped;
  const late = total - reportedLate;
  reportedLate = total;
  return { routed, packed, transfer, late };
}

/** Fed by the exchange: posts to the main thread what it produced and how far it read (if anything changed). */
function push(): void {
  pushScheduled = false;
  if (broken) return;
  try {
    if (outputs.length === 0 && consumed === pushedConsumed && flushed === pushedFlushed && recordsIn === 0) return;
    const { routed, packed, transfer, late } = takeOutputs();
    const message: WorkerPush = {
      type: "push",
      outputs: packed,
      lateRecordsDropped: late,
      recordsIn,
      consumed,
      flushed,
      routed: routed?.routed ?? 0,
      posted: routed?.posted,
    };
    recordsIn = 0;
    pushedConsumed = consumed;
    pushedFlushed = flushed;
    reply(message, transfer);
  } catch (error) {
    fail(error);
  }
}

/** Fed by the exchange: the first failure is reported (a push) and everything after it ignored. */
function fail(error: unknown): void {
  if (broken) return;
  broken = true;
  outputs = [];
  reply({ type: "push", failure: failure(error) });
}

/** What the exchange's aligned inputs do to the operator. */
const aligned: AlignedInput = {
  record(event) {
    currentKey = event[1];
    recordsIn++;
    operator!.processElement(event[2], event[3], 0);
  },
  control(event) {
    applyControl(event);
    if (event[0] === 5) flushed = event[1];
  },
};

/**
 * A control event applied to the operator: a watermark, idleness, the processing-time clock (passed
 * on along the keyed exchange), a flush marker (passed on along it).
 */
function applyControl(event: Exclude<InputEvent, { 0: 0 | 4 }>): void {
  const op = operator!;
  switch (event[0]) {
    case 1:
      op.processWatermark(event[1], 0);
      break;
    case 2:
      op.processIdle(event[1], 0);
      break;
    case 3:
      clock = event[1];
      op.onProcessingTime(event[1]);
      if (exchange !== undefined) outputs.push([4, event[1]]);
      break;
    case 5:
      if (exchange !== undefined) outputs.push([5, event[1]]);
      break;
  }
}

/** A message on exchange input `channel`: taken in; a push follows (at once after a flush marker). */
function onExchangeInput(channel: number, packed: PackedEvents<InputEvent>): void {
  if (broken) return;
  try {
    consumed++;
    const before = flushed;
    inputs!.push(channel, unpackInputs(packed));
    if (flushed !== before) push();
    else if (!pushScheduled) {
      pushScheduled = true;
      setImmediate(push);
    }
  } catch (error) {
    fail(error);
  }
}

function connect(request: Extract<WorkerRequest, { type: "connect" }>): void {
  if (request.outputs !== undefined) {
    const key = rebuilder!.value(request.outputs.key) as (value: unknown) => unknown;
    exchange = new ExchangeRouter(request.outputs.ports, key, request.outputs.operator);
  }
  if (request.inputs !== undefined) {
    const ports: readonly MessagePort[] = request.inputs;
    inputs = new ChannelAligner(ports.length, aligned);
    ports.forEach((p, channel) => p.on("message", (packed: PackedEvents<InputEvent>) => onExchangeInput(channel, packed)));
  }
}

function failure(error: unknown): WorkerFailure {
  if (error instanceof UserFunctionError) {
    const cause = error.cause;
    const isError = cause instanceof Error;
    return {
      kind: "user",
      operator: error.operator,
      record: cloneable(error.record),
      causeName: isError ? cause.name : "",
      causeMessage: isError ? cause.message : String(cause),
      causeIsError: isError,
    };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { kind: "other", name: e.name, message: e.message, stack: e.stack };
}

/** The record as it can travel back (a record that came in by message can; a timer's description too). */
function cloneable(value: unknown): unknown {
  try {
    structuredClone(value);
    return value;
  } catch {
    return String(value);
  }
}

function build(request: Extract<WorkerRequest, { type: "init" }>): Operator {
  rebuilder = new Rebuilder(request.captures);
  const r = rebuilder;
  const spec = request.operator;
  const now = (): number => clock;
  const key = (): unknown => currentKey;
  if (spec.kind === "window") {
    return new WindowOperator(spec.name, output, 1, {
      key,
      assigner: r.value(spec.assigner) as WindowAssigner,
      trigger: r.value(spec.trigger) as Trigger,
      allowedLateness: spec.allowedLateness,
      lateTag: spec.lateTag === undefined ? undefined : r.tag(spec.lateTag),
      aggregate: acceptingPartials(r.value(spec.aggregate) as AggregateFunction<unknown, unknown, unknown>),
      result: r.value(spec.result) as (value: unknown, context: WindowContext<unknown>) => unknown,
      now,
    });
  }
  return new KeyedProcessOperator(spec.name, output, 1, { key, fn: r.value(spec.fn) as KeyedProcessFunction<unknown, unknown, unknown>, now });
}

port.on("message", (request: WorkerRequest) => {
  try {
    switch (request.type) {
      case "init":
        clock = request.now;
        operator = build(request);
        reply({ type: "ready" });
        return;
      case "connect":
        connect(request);
        reply({ type: "ready" });
        return;
      case "restore":
        operator!.restoreState(request.state);
        reply({ type: "ready" });
        return;
      case "snapshot":
        reply({ type: "snapshot", state: operator!.snapshotState() });
        return;
      case "batch": {
        const op = operator!;
        clock = request.now;
        outputs = [];
        for (const event of unpackInputs(request.events)) {
          switch (event[0]) {
            case 0:
              currentKey = event[1];
              op.processElement(event[2], event[3], 0);
              break;
            case 4:
              currentKey = event[1];
              op.processElement(partialElement(event[3]), event[2], 0);
              break;
            default:
              applyControl(event);
          }
        }
        const { routed, packed, transfer, late } = takeOutputs();
        reply({ type: "batch", outputs: packed, lateRecordsDropped: late, routed: routed?.routed ?? 0, posted: routed?.posted }, transfer);
        return;
      }
    }
  } catch (error) {
    outputs = [];
    reply({ type: "error", failure: failure(error) });
  }
});
