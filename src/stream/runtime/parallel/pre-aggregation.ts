/**
 * Local pre-aggregation before the shuffle (Flink's local-global, two-phase aggregation): for a keyed
 * window whose result may be computed from partial accumulators exactly, the main thread folds the
 * records it routes into one accumulator per key and slice (`gcd(size, slide)` ms, the unit every
 * window is made of) and ships those accumulators instead of the records; the worker adds each to its
 * window operator as one element whose `add` is the aggregate's `sliceMerge`.
 *
 * Allowed only when that changes nothing a user can see: event-time tumbling or sliding windows (no
 * gaps), the plain event-time trigger (it fires at watermarks only, never per element), and a
 * built-in aggregate with `sliceMerge` (exact and order-insensitive, and cheap to add: count, min, max,
 * distinctCount — a user's `aggregate({ ..., sliceable: true })` may do the heavy work the workers are
 * for, so its records are shipped). A record is folded only while none of its windows is due at
 * the watermark the worker will have when it gets the accumulator (so no firing, re-firing, lateness
 * or late side output depends on it); any other record is shipped as it is, in its place.
 */
import type { PlanNode } from "../../api/graph.js";
import type { AggregateFunction } from "../../aggregates/aggregate-function.js";
import { factoryDescriptorOf } from "../../aggregates/factory-descriptor.js";
import { alignedLayout } from "../../windowing/aligned-layout.js";
import { eventTimeTrigger } from "../../windowing/event-time-trigger.js";
import { mod } from "../../windowing/window-start.js";
import { keyId } from "../key-id.js";
import { UserFunctionError } from "../user-function-error.js";
import type { InputEvent } from "./worker-protocol.js";

type WindowNode = Extract<PlanNode, { kind: "window" }>;

/** Built-in aggregates with `sliceMerge` whose `add` is cheap enough to run in the main thread. */
const CHEAP_AGGREGATES: ReadonlySet<string> = new Set(["count", "min", "max", "distinctCount"]);

/** Where a keyed window's records may be folded: slices of `slice` ms starting at `offset` (mod slice). */
export interface PreAggregationLayout {
  readonly slice: number;
  readonly offset: number;
}

/** The pre-aggregation layout of a keyed operator, or undefined when its records must be shipped one by one. */
export function preAggregationLayout(node: PlanNode): PreAggregationLayout | undefined {
  if (node.kind !== "window") return undefined;
  if (node.assigner.domain !== "event" || node.assigner.mergeWindows !== undefined) return undefined;
  if (node.trigger !== eventTimeTrigger() || typeof node.aggregate.sliceMerge !== "function") return undefined;
  // Built-ins only: their add is cheap; a user aggregate's may be the heavy work the workers are for.
  const factory = factoryDescriptorOf(node.aggregate)?.factory;
  if (factory === undefined || !CHEAP_AGGREGATES.has(factory)) return undefined;
  const layout = alignedLayout(node.assigner);
  if (layout === undefined || layout.slide > layout.size) return undefined;
  return { slice: gcd(layout.size, layout.slide), offset: layout.offset };
}

/** A key's partial accumulators of the current segment, by slice start (kept across segments, emptied by each flush). */
interface Partials {
  readonly key: unknown;
  readonly worker: number;
  readonly starts: number[];
  readonly accs: unknown[];
}

/** Keys whose entry (and worker) is remembered between segments (the map starts over when it holds more). */
const REMEMBERED_KEYS = 1 << 16;

/**
 * The main thread's side: folds records into per-(key, slice) accumulators and appends them to the
 * workers' queues at {@link flush} — before every control event (watermark, idleness, processing-time
 * tick), every send and at every round's end, so an accumulator never crosses a control event.
 */
export class PreAggregator {
  /** Per key (the key itself when a number, else its key id): its worker and partial accumulators. */
  private partials = new Map<string | number, Partials>();
  /** The keys with accumulators in the current segment. */
  private active: Partials[] = [];
  private readonly aggregate: AggregateFunction<unknown, unknown, unknown>;

  /** `ownerOf` gives the worker of a key by its id (the key itself when a number, else its key id). */
  constructor(
    private readonly node: WindowNode,
    private readonly layout: PreAggregationLayout,
    private readonly ownerOf: (id: string | number) => number,
  ) {
    this.aggregate = node.aggregate;
  }

  /**
   * Folds `value` of key `key` if it may be: returns false when it must be shipped as a record — no
   * valid timestamp, or one of its windows due at `watermark`. Throws what {@link keyId} throws for a key
   * that cannot be one, and a {@link UserFunctionError} when the aggregate throws.
   */
  add(key: unknown, value: unknown, timestamp: number | undefined, watermark: number): boolean {
    if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp)) return false;
    const { slice, offset } = this.layout;
    const start = timestamp - mod(timestamp - offset, slice);
    // Every window holding the slice ends at or after the slice's end: none is due yet.
    if (start + slice - 1 <= watermark) return false;
    const id = typeof key === "number" ? key : keyId(key);
    let partials = this.partials.get(id);
    if (partials === undefined) {
      partials = { key, worker: this.ownerOf(id), starts: [], accs: [] };
      this.partials.set(id, partials);
    }
    const starts = partials.starts;
    if (starts.length === 0) this.active.push(partials);
    let i = starts.length - 1;
    while (i >= 0 && starts[i] !== start) i--;
    const aggregate = this.aggregate;
    try {
      if (i < 0) {
        starts.push(start);
        partials.accs.push(aggregate.add(value, aggregate.createAccumulator()));
      } else {
        partials.accs[i] = aggregate.add(value, partials.accs[i]);
      }
    } catch (error) {
      throw error instanceof UserFunctionError ? error : new UserFunctionError(this.node.name, value, error);
    }
    return true;
  }

  /** Appends the folded accumulators to their workers' queues (before a control event, before sending). */
  flush(queues: InputEvent[][]): void {
    const active = this.active;
    if (active.length === 0) return;
    for (let k = 0; k < active.length; k++) {
      const p = active[k]!;
      const queue = queues[p.worker]!;
      const { starts, accs } = p;
      for (let i = 0; i < starts.length; i++) queue.push([4, p.key, starts[i]!, accs[i]]);
      starts.length = 0;
      accs.length = 0;
    }
    this.active = [];
    if (this.partials.size > REMEMBERED_KEYS) this.partials = new Map();
  }
}

/** A partial accumulator as the worker's window operator sees it: an element whose `add` merges it. */
class PartialAccumulator {
  constructor(readonly accumulator: unknown) {}
}

/** The worker's side: the element standing for a shipped partial accumulator. */
export function partialElement(accumulator: unknown): unknown {
  return new PartialAccumulator(accumulator);
}

/**
 * The worker's side: the aggregate, with an `add` that merges a {@link partialElement} by `sliceMerge`
 * (records still go to the aggregate's own `add`). Aggregates without `sliceMerge` are returned as they are.
 */
export function acceptingPartials<IN, ACC, OUT>(aggregate: AggregateFunction<IN, ACC, OUT>): AggregateFunction<IN, ACC, OUT> {
  if (typeof aggregate.sliceMerge !== "function") return aggregate;
  const sliceMerge = (a: ACC, b: ACC): ACC => aggregate.sliceMerge!(a, b);
  const add = (value: IN, accumulator: ACC): ACC => aggregate.add(value, accumulator);
  return {
    ...(aggregate.description === undefined ? {} : { description: aggregate.description }),
    createAccumulator: () => aggregate.createAccumulator(),
    add: (value, accumulator) => (value instanceof PartialAccumulator ? sliceMerge(accumulator, value.accumulator as ACC) : add(value, accumulator)),
    getResult: (accumulator) => aggregate.getResult(accumulator),
    merge: (a, b) => aggregate.merge(a, b),
    sliceMerge,
  };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
