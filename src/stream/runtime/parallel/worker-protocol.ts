/**
 * Messages between the main thread and a keyed-operator worker. Requests are pipelined (several may be
 * outstanding); each gets one reply, in order. Batches carry their flat numeric records packed
 * (`record-packing.ts`).
 */
import type { Shipped, ShippedCaptures } from "./shipped.js";

/** What a worker runs: the keyed operator's plan settings, shipped. */
export type ShippedOperator =
  | {
      readonly kind: "window";
      readonly name: string;
      readonly assigner: Shipped;
      readonly trigger: Shipped;
      readonly allowedLateness: number;
      /** Index of the late-data tag in the job's tag table. */
      readonly lateTag: number | undefined;
      readonly aggregate: Shipped;
      readonly result: Shipped;
    }
  | { readonly kind: "process"; readonly name: string; readonly fn: Shipped };

/**
 * An input event, in order: a record with its key, a watermark, an idleness change, a processing-time
 * tick, or a partial accumulator of a key's records in one slice (pre-aggregation, `pre-aggregation.ts`).
 */
export type InputEvent =
  | readonly [kind: 0, key: unknown, value: unknown, timestamp: number | undefined]
  | readonly [kind: 1, watermark: number]
  | readonly [kind: 2, idle: boolean]
  | readonly [kind: 3, now: number]
  | readonly [kind: 4, key: unknown, timestamp: number, accumulator: unknown];

/** An output event, in order: a record, a side-output record, a watermark, an idleness change. */
export type OutputEvent =
  | readonly [kind: 0, value: unknown, timestamp: number | undefined]
  | readonly [kind: 1, tag: number, value: unknown, timestamp: number | undefined]
  | readonly [kind: 2, watermark: number]
  | readonly [kind: 3, idle: boolean];

/** Events with flat numeric records packed (`record-packing.ts`). */
export interface PackedEvents<E> {
  /** The events in order; a 0 stands for the next packed record, a 1 for the next packed partial accumulator. */
  readonly events: readonly (E | 0 | 1)[];
  /** The packed records' field names, in property order (empty when none is packed). */
  readonly fields: readonly string[];
  /** Per packed record: (for input records) its key, its timestamp, then its fields' values. */
  readonly numbers: Float64Array | undefined;
  /** Per packed partial accumulator (input events `[4, key, timestamp, accumulator]` of numbers): key, timestamp, accumulator. */
  readonly partials: Float64Array | undefined;
}

/** Main → worker. */
export type WorkerRequest =
  | { readonly type: "init"; readonly operator: ShippedOperator; readonly captures: ShippedCaptures; readonly now: number }
  | { readonly type: "restore"; readonly state: unknown }
  | { readonly type: "batch"; readonly now: number; readonly events: PackedEvents<InputEvent> }
  | { readonly type: "snapshot" };

/** A failure in a worker, enough to rebuild the same error in the main thread. */
export type WorkerFailure =
  | {
      readonly kind: "user";
      readonly operator: string;
      readonly record: unknown;
      readonly causeName: string;
      readonly causeMessage: string;
      readonly causeIsError: boolean;
    }
  | { readonly kind: "other"; readonly name: string; readonly message: string; readonly stack: string | undefined };

/** Worker → main. */
export type WorkerReply =
  | { readonly type: "ready" }
  | { readonly type: "batch"; readonly outputs: PackedEvents<OutputEvent>; readonly lateRecordsDropped: number }
  | { readonly type: "snapshot"; readonly state: unknown }
  | { readonly type: "error"; readonly failure: WorkerFailure };
