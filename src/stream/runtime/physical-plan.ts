/**
 * From the logical plan to running operator instances. Operators up to the first operator that joins
 * streams (keyed windows, union, sinks) run once per source split ("split-local", so each split has its
 * own timestamp assigner and watermarks, as Flink's per-split watermarks); a joining operator runs once,
 * with one input channel per upstream instance, and combines their watermarks by minimum (rule 2).
 */
import type { OutputTag } from "../api/output-tag.js";
import type { Plan, PlanNode } from "../api/graph.js";
import type { SourceSplit } from "../sources/source.js";
import type { Operator, Output } from "./operator.js";
import { inputsOf } from "../api/graph.js";
import { FilterOperator } from "./operators/filter-operator.js";
import { FlatMapOperator } from "./operators/flat-map-operator.js";
import { MapOperator } from "./operators/map-operator.js";
import { PassOperator } from "./operators/pass-operator.js";
import { SinkOperator } from "./operators/sink-operator.js";
import { TimestampsOperator } from "./operators/timestamps-operator.js";
import { WindowOperator } from "./operators/window-operator.js";
import { KeyedProcessOperator } from "./operators/keyed-process-operator.js";
import { LookupOperator } from "./operators/lookup-operator.js";
import { ParallelKeyedOperator } from "./parallel/parallel-keyed-operator.js";
import type { ParallelPlan } from "./parallel/parallel-plan.js";

/** Where records go: an operator instance and its input channel. */
interface Target {
  readonly operator: Operator;
  readonly channel: number;
}

/** An output that fans out to targets (and to side-output targets by tag). */
class FanOut implements Output {
  readonly targets: Target[] = [];
  readonly sideTargets = new Map<OutputTag<unknown>, Target[]>();

  collect(value: unknown, timestamp: number | undefined): void {
    const targets = this.targets;
    for (let i = 0; i < targets.length; i++) targets[i]!.operator.processElement(value, timestamp, targets[i]!.channel);
  }

  side(tag: OutputTag<unknown>, value: unknown, timestamp: number | undefined): void {
    const targets = this.sideTargets.get(tag);
    if (targets !== undefined) for (const t of targets) t.operator.processElement(value, timestamp, t.channel);
  }

  watermark(value: number): void {
    for (const t of this.targets) t.operator.processWatermark(value, t.channel);
    for (const ts of this.sideTargets.values()) for (const t of ts) t.operator.processWatermark(value, t.channel);
  }

  idle(idle: boolean): void {
    for (const t of this.targets) t.operator.processIdle(idle, t.channel);
    for (const ts of this.sideTargets.values()) for (const t of ts) t.operator.processIdle(idle, t.channel);
  }
}

/** One source split and the output its records enter. */
export interface SplitEntry {
  readonly node: Extract<PlanNode, { kind: "source" }>;
  readonly split: SourceSplit;
  readonly output: Output;
  /** Stable across runs of the same pipeline: where its position is kept in checkpoints. */
  readonly key: string;
}

/** An operator instance with the plan node it runs. */
export interface OperatorEntry {
  readonly node: PlanNode;
  readonly operator: Operator;
  /** Stable across runs of the same pipeline (node position, kind, name, instance): its checkpoint key. */
  readonly key: string;
}

/** The running shape of a job. */
export interface PhysicalPlan {
  /** The pipeline's shape: node positions, kinds and names (checkpoints are only restored into the same shape). */
  readonly shape: readonly string[];
  readonly splits: readonly SplitEntry[];
  /** Every operator instance, upstream before downstream. */
  readonly operators: readonly OperatorEntry[];
  readonly sinks: readonly { node: PlanNode; operator: SinkOperator }[];
  /** Keyed operators running on worker threads (parallelism > 1); the job prepares their snapshots and closes them. */
  readonly parallel: readonly ParallelKeyedOperator[];
}

/**
 * Builds the physical plan; `splits` are each source node's splits (by node id). With `parallel`, its
 * keyed operators run on worker threads (a {@link ParallelKeyedOperator} in their place).
 */
export function buildPhysicalPlan(
  plan: Plan,
  splits: ReadonlyMap<number, readonly SourceSplit[]>,
  now: () => number,
  parallel?: ParallelPlan,
): PhysicalPlan {
  const order = topologicalOrder(plan.sinks);
  // Instances per node: split-local nodes copy their input's instance count, joining nodes run once.
  const outputs = new Map<number, FanOut[]>();
  const entries: OperatorEntry[] = [];
  const sinks: { node: PlanNode; operator: SinkOperator }[] = [];
  const splitEntries: SplitEntry[] = [];
  const parallelOperators: ParallelKeyedOperator[] = [];
  const channelCount = (node: PlanNode): number => inputsOf(node).reduce((n, input) => n + (outputs.get(input.id)?.length ?? 0), 0);

  // A sink's name is left out: a restored job may write to another sink (its state is only a watermark).
  // A source named by its description stands for its identity (pacing and the like left out).
  const nameOf = (node: PlanNode): string =>
    node.kind === "source" && node.name === node.source.description ? (node.source.identity ?? node.name) : node.name;
  const shape = order.map((node, i) => (node.kind === "sink" ? `${i}:sink` : `${i}:${node.kind}:${nameOf(node)}`));
  /** Parallel keyed operators by node id, with the output they feed (the keyed exchange links them below). */
  const standIns = new Map<number, { node: PlanNode; operator: ParallelKeyedOperator; out: FanOut }>();
  for (const [position, node] of order.entries()) {
    const signature = shape[position]!;
    if (node.kind === "source") {
      const nodeSplits = splits.get(node.id) ?? [];
      const outs = nodeSplits.map(() => new FanOut());
      outputs.set(node.id, outs);
      nodeSplits.forEach((split, i) => splitEntries.push({ node, split, output: outs[i]!, key: `${signature}/${split.id}` }));
      continue;
    }
    if (isSplitLocal(node)) {
      const input = inputsOf(node)[0]!;
      const upstream = outputs.get(input.id)!;
      const outs = upstream.map((up, instance) => {
        const out = new FanOut();
        const op = createOperator(node, out, 1, now);
        attach(node, up, { operator: op, channel: 0 });
        entries.push({ node, operator: op, key: `${signature}#${instance}` });
        return out;
      });
      outputs.set(node.id, outs);
      continue;
    }
    const out = new FanOut();
    const channels = Math.max(1, channelCount(node));
    let op: Operator;
    if (parallel !== undefined && (node.kind === "window" || node.kind === "process") && parallel.operators.has(node.id)) {
      const p = new ParallelKeyedOperator(node, out, channels, now, parallel);
      parallelOperators.push(p);
      standIns.set(node.id, { node, operator: p, out });
      op = p;
    } else {
      op = createOperator(node, out, channels, now);
    }
    let channel = 0;
    for (const input of inputsOf(node)) for (const up of outputs.get(input.id)!) attach(node, up, { operator: op, channel: channel++ });
    outputs.set(node.id, [out]);
    entries.push({ node, operator: op, key: `${signature}#0` });
    if (op instanceof SinkOperator) sinks.push({ node, operator: op });
  }
  if (parallel !== undefined) linkKeyedExchanges(standIns, parallel);
  return { shape, splits: splitEntries, operators: entries, sinks, parallel: parallelOperators };
}

/**
 * The keyed exchange: a parallel keyed operator whose one input is another parallel keyed operator, of
 * which it is the only consumer (side outputs aside), with a key selector that could be shipped, gets
 * that operator's records straight from its workers.
 */
function linkKeyedExchanges(standIns: ReadonlyMap<number, { node: PlanNode; operator: ParallelKeyedOperator; out: FanOut }>, parallel: ParallelPlan): void {
  for (const { node, operator } of standIns.values()) {
    const inputs = inputsOf(node);
    if (inputs.length !== 1 || operator.channels !== 1) continue;
    const up = standIns.get(inputs[0]!.id);
    const key = parallel.keys.get(node.id);
    if (up === undefined || key === undefined) continue;
    if (up.out.targets.length !== 1 || up.out.targets[0]!.operator !== operator) continue;
    up.operator.linkTo(operator, key);
  }
}

/** Connects `target` to the output of `upstream` (its side output for a side-output reader). */
function attach(node: PlanNode, upstream: FanOut, target: Target): void {
  if (node.kind === "sideOutput") {
    const list = upstream.sideTargets.get(node.tag) ?? [];
    list.push(target);
    upstream.sideTargets.set(node.tag, list);
  } else {
    upstream.targets.push(target);
  }
}

function isSplitLocal(node: PlanNode): boolean {
  return (
    node.kind === "map" ||
    node.kind === "filter" ||
    node.kind === "flatMap" ||
    node.kind === "timestamps" ||
    node.kind === "sideOutput" ||
    node.kind === "lookup"
  );
}

function createOperator(node: PlanNode, out: Output, channels: number, now: () => number): Operator {
  switch (node.kind) {
    case "map":
      return new MapOperator(node.name, out, node.fn);
    case "filter":
      return new FilterOperator(node.name, out, node.fn);
    case "flatMap":
      return new FlatMapOperator(node.name, out, node.fn);
    case "timestamps":
      return new TimestampsOperator(node.name, out, { ...node.options, extract: node.extract, invalidTag: node.invalidTag, now: now() });
    case "sideOutput":
    case "union":
      return new PassOperator(node.name, out, channels);
    case "window":
      return new WindowOperator(node.name, out, channels, { ...node, now });
    case "lookup":
      return new LookupOperator(node.name, out, { fn: node.fn, options: node.options, now });
    case "process":
      return new KeyedProcessOperator(node.name, out, channels, { key: node.key, fn: node.fn, now });
    case "sink":
      return new SinkOperator(node.name, node.sink, channels);
    case "source":
      throw new Error("sources are not operators");
  }
}

/** The nodes reachable from `roots`, every input before the node itself. */
function topologicalOrder(roots: readonly PlanNode[]): PlanNode[] {
  const done = new Set<number>();
  const out: PlanNode[] = [];
  const visit = (node: PlanNode): void => {
    if (done.has(node.id)) return;
    done.add(node.id);
    for (const input of inputsOf(node)) visit(input);
    out.push(node);
  };
  for (const n of roots) visit(n);
  return out;
}
