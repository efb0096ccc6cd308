/**
 * Messages between the main thread and a keyed-operator worker, and between the workers of two chained
 * keyed operators (the keyed exchange, `keyed-exchange.ts`). Requests are pipelined (several may be
 * outstanding); each gets one reply, in order. A worker fed by the exchange also posts {@link WorkerPush}
 * messages of its own. Batches carry their flat numeric records packed (`record-packing.ts`).
 */
import type { MessagePort } from "node:worker_threads";
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
 * tick, a partial accumulator of a key's records in one slice (pre-aggregation, `pre-aggregation.ts`),
 * or a flush marker (the keyed exchange: everything before it is to be passed on and reported).
 */
export type InputEvent =
  | readonly [kind: 0, key: unknown, value: unknown, timestamp: number | undefined]
  | readonly [kind: 1, watermark: number]
  | readonly [kind: 2, idle: boolean]
  | readonly [kind: 3, now: number]
  | readonly [kind: 4, key: unknown, timestamp: number, accumulator: unknown]
  | readonly [kind: 5, flush: number];

/** An output event, in order: a record, a side-output record, a watermark, an idleness change. */
export type OutputEvent =
  | readonly [kind: 0, value: unknown, timestamp: number | undefined]
  | readonly [kind: 1, tag: number, value: unknown, timestamp: number | undefined]
  | readonly [kind: 2, watermark: number]
  | readonly [kind: 3, idle: boolean];

/** Events with flat numeric records packed (`record-packing.ts`). */
export interface PackedEvents<E> {
  /** The events as they are, when none is packed (then {@link kinds} is undefined). */
  readonly events: readonly E[] | undefined;
  /** Per event, in order: 0 the next packed record, 1 the next packed partial accumulator, 2 the next of {@link others}. */
  readonly kinds: Uint8Array | undefined;
  /** The events that are not packed, in order. */
  readonly others: readonly E[];
  /** The packed records' field names, in property order (empty when none is packed). */
  readonly fields: readonly string[];
  /** Per packed record: (for input records) its key, its timestamp, then its fields' values. */
  readonly numbers: Float64Array | undefined;
  /** Per packed partial accumulator (input events `[4, key, timestamp, accumulator]` of numbers): key, timestamp, accumulator. */
  readonly partials: Float64Array | undefined;
}

/** The keyed exchange, as one worker of the upstream operator sees it: where its records go. */
export interface ExchangeOutputs {
  /** One port per worker of the downstream operator. */
  readonly ports: readonly MessagePort[];
  /** The downstream operator's key selector, shipped. */
  readonly key: Shipped;
  /** The downstream operator's name (a throwing key selector fails with it, as parallelism 1). */
  readonly operator: string;
}

/** Main → worker. */
export type WorkerRequest =
  | { readonly type: "init"; readonly operator: ShippedOperator; readonly captures: ShippedCaptures; readonly now: number }
  /**
   * The keyed exchange (sent after init, before any batch): `outputs` routes this worker's records to
   * the next keyed operator's workers; `inputs` (one port per upstream worker, by channel) feeds this one.
   */
  | { readonly type: "connect"; readonly outputs?: ExchangeOutputs; readonly inputs?: readonly MessagePort[] }
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
  | {
      readonly type: "batch";
      readonly outputs: PackedEvents<OutputEvent>;
      readonly lateRecordsDropped: number;
      /** With exchange outputs: records sent to the next operator's workers, and messages posted to each. */
      readonly routed: number;
      readonly posted: readonly number[] | undefined;
    }
  | { readonly type: "snapshot"; readonly state: unknown }
  | { readonly type: "error"; readonly failure: WorkerFailure };

/**
 * Worker → main, unasked, from a worker fed by the keyed exchange: what it produced for the main thread
 * (side outputs, watermarks, idleness; and records when it is the last keyed operator), how far it read,
 * and the latest flush marker it passed (everything before it is in this or an earlier push) — or its failure.
 */
export type WorkerPush =
  | {
      readonly type: "push";
      readonly outputs: PackedEvents<OutputEvent>;
      readonly lateRecordsDropped: number;
      /** Records it took in since the previous push. */
      readonly recordsIn: number;
      /** Exchange messages it has received so far, in all. */
      readonly consumed: number;
      /** The latest flush marker passed on all its inputs (0: none yet). */
      readonly flushed: number;
      /** With exchange outputs of its own: as in a batch reply. */
      readonly routed: number;
      readonly posted: readonly number[] | undefined;
    }
  | { readonly type: "push"; readonly failure: WorkerFailure };
