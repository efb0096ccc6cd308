/**
 * The entry of a keyed-operator worker thread: rebuilds the operator from what the main thread shipped,
 * runs each batch of input events through it in order, and replies with the outputs (records, side
 * outputs, watermarks, idleness, in the order the operator produced them), its snapshots, or the error.
 */
import { parentPort, workerData } from "node:worker_threads";
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
import { acceptingPartials, partialElement } from "./pre-aggregation.js";
import { Rebuilder } from "./rebuild.js";
import { packOutputs, unpackInputs } from "./record-packing.js";
import type { OutputEvent, WorkerFailure, WorkerReply, WorkerRequest } from "./worker-protocol.js";

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
let outputs: OutputEvent[] = [];
let reportedLate = 0;

const output: Output = {
  collect: (value, timestamp) => outputs.push([0, value, timestamp]),
  side: (tag: OutputTag<unknown>, value, timestamp) => outputs.push([1, rebuilder!.indexOfTag(tag), value, timestamp]),
  watermark: (value) => outputs.push([2, value]),
  idle: (idle) => outputs.push([3, idle]),
};

function reply(message: WorkerReply, transfer: readonly ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
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
            case 1:
              op.processWatermark(event[1], 0);
              break;
            case 2:
              op.processIdle(event[1], 0);
              break;
            case 3:
              clock = event[1];
              op.onProcessingTime(event[1]);
              break;
            case 4:
              currentKey = event[1];
              op.processElement(partialElement(event[3]), event[2], 0);
              break;
          }
        }
        const late = op.counters.lateRecordsDropped;
        const { packed, transfer } = packOutputs(outputs);
        reply({ type: "batch", outputs: packed, lateRecordsDropped: late - reportedLate }, transfer);
        reportedLate = late;
        outputs = [];
        return;
      }
    }
  } catch (error) {
    outputs = [];
    reply({ type: "error", failure: failure(error) });
  }
});
