/**
 * Messages between the main thread and a keyed-operator worker. One request is outstanding per worker
 * at a time; each gets one reply, in order.
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

/** An input event, in order: a record with its key, a watermark, an idleness change, a processing-time tick. */
export type InputEvent =
  | readonly [kind: 0, key: unknown, value: unknown, timestamp: number | undefined]
  | readonly [kind: 1, watermark: number]
  | readonly [kind: 2, idle: boolean]
  | readonly [kind: 3, now: number];

/** An output event, in order: a record, a side-output record, a watermark, an idleness change. */
export type OutputEvent =
  | readonly [kind: 0, value: unknown, timestamp: number | undefined]
  | readonly [kind: 1, tag: number, value: unknown, timestamp: number | undefined]
  | readonly [kind: 2, watermark: number]
  | readonly [kind: 3, idle: boolean];

/** Main → worker. */
export type WorkerRequest =
  | { readonly type: "init"; readonly operator: ShippedOperator; readonly captures: ShippedCaptures; readonly now: number }
  | { readonly type: "restore"; readonly state: unknown }
  | { readonly type: "batch"; readonly now: number; readonly events: readonly InputEvent[] }
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
  | { readonly type: "batch"; readonly outputs: readonly OutputEvent[]; readonly lateRecordsDropped: number }
  | { readonly type: "snapshot"; readonly state: unknown }
  | { readonly type: "error"; readonly failure: WorkerFailure };
