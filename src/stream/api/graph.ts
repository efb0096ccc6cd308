/**
 * The logical plan a pipeline builds: nodes added by each builder call (as Flink's Transformations),
 * translated into running operators only when a job starts. Nothing here runs user code.
 */
import type { AggregateFunction } from "../aggregates/aggregate-function.js";
import type { Source } from "../sources/source.js";
import type { Trigger } from "../windowing/trigger.js";
import type { WindowAssigner } from "../windowing/window-assigner.js";
import type { Sink } from "./sink.js";
import type { OutputTag } from "./output-tag.js";
import type { WindowContext } from "./window-result.js";
import type { KeyedProcessFunction } from "./process-function.js";
import type { LookupFunction, LookupJoinOptions } from "./lookup.js";

/** What to do with a record whose timestamp extractor returns no valid timestamp. */
export type InvalidTimestampPolicy = "fail" | "sideOutput" | "drop";

/** Options of `withTimestamps` (Flink's WatermarkStrategy.forBoundedOutOfOrderness + withIdleness). */
export interface TimestampOptions {
  /** Maximum out-of-orderness d in ms: watermark = max timestamp − d − 1 (default 0). */
  outOfOrderness?: number;
  /** A split with no records for this long (processing time, ms) is idle: left out of watermark minimums. */
  idleness?: number;
  /** Records whose extractor returns no finite integer: fail the job (default), drop, or side output. */
  onInvalid?: InvalidTimestampPolicy;
}

/** A node of the plan. Every node has an id unique in its pipeline and a name shown in job displays. */
export type PlanNode =
  | { readonly kind: "source"; readonly id: number; readonly name: string; readonly source: Source<unknown> }
  | { readonly kind: "map"; readonly id: number; readonly name: string; readonly input: PlanNode; readonly fn: (value: unknown) => unknown }
  | { readonly kind: "filter"; readonly id: number; readonly name: string; readonly input: PlanNode; readonly fn: (value: unknown) => boolean }
  | {
      readonly kind: "flatMap";
      readonly id: number;
      readonly name: string;
      readonly input: PlanNode;
      readonly fn: (value: unknown) => Iterable<unknown>;
    }
  | {
      readonly kind: "timestamps";
      readonly id: number;
      readonly name: string;
      readonly input: PlanNode;
      readonly extract: (value: unknown) => number;
      readonly options: Required<Pick<TimestampOptions, "outOfOrderness" | "onInvalid">> & { readonly idleness: number | undefined };
      readonly invalidTag: OutputTag<unknown>;
    }
  | { readonly kind: "union"; readonly id: number; readonly name: string; readonly inputs: readonly PlanNode[] }
  | {
      readonly kind: "window";
      readonly id: number;
      readonly name: string;
      readonly input: PlanNode;
      readonly key: (value: unknown) => unknown;
      readonly assigner: WindowAssigner;
      readonly trigger: Trigger;
      readonly allowedLateness: number;
      readonly lateTag: OutputTag<unknown> | undefined;
      readonly aggregate: AggregateFunction<unknown, unknown, unknown>;
      readonly result: (value: unknown, context: WindowContext<unknown>) => unknown;
    }
  | {
      readonly kind: "lookup";
      readonly id: number;
      readonly name: string;
      readonly input: PlanNode;
      readonly fn: LookupFunction<unknown, unknown>;
      readonly options: LookupJoinOptions<unknown, unknown, unknown, unknown>;
    }
  | {
      readonly kind: "process";
      readonly id: number;
      readonly name: string;
      readonly input: PlanNode;
      readonly key: (value: unknown) => unknown;
      readonly fn: KeyedProcessFunction<unknown, unknown, unknown>;
    }
  | {
      readonly kind: "sideOutput";
      readonly id: number;
      readonly name: string;
      readonly input: PlanNode;
      readonly tag: OutputTag<unknown>;
    }
  | { readonly kind: "sink"; readonly id: number; readonly name: string; readonly input: PlanNode; readonly sink: Sink<unknown> };

/** The kind of a node. */
export type PlanNodeKind = PlanNode["kind"];

/** A complete pipeline: its sinks (every node reachable from them runs). */
export interface Plan {
  readonly sinks: readonly Extract<PlanNode, { kind: "sink" }>[];
}

/** The inputs of a node. */
export function inputsOf(node: PlanNode): readonly PlanNode[] {
  switch (node.kind) {
    case "source":
      return [];
    case "union":
      return node.inputs;
    default:
      return [node.input];
  }
}
