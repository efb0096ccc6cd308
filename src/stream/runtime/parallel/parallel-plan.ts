/**
 * What parallel execution needs, prepared when a job starts: the parallelism, the job's captures and
 * every keyed operator's settings shipped for the workers. Shipping checks every user function, so a
 * function that refers to a variable a worker cannot see fails the start, naming operator and variable.
 */
import type { OutputTag } from "../../api/output-tag.js";
import type { Plan, PlanNode } from "../../api/graph.js";
import { inputsOf } from "../../api/graph.js";
import { KEY_GROUPS } from "./key-group.js";
import { shipCaptures, shipValue, ShipError, type ShipContext } from "./ship.js";
import type { Shipped, ShippedCaptures } from "./shipped.js";
import type { ShippedOperator } from "./worker-protocol.js";

/** A job's parallel execution settings (absent with parallelism 1: the single-threaded path). */
export interface ParallelPlan {
  readonly parallelism: number;
  readonly captures: ShippedCaptures;
  /** Output tags shipped functions refer to, by the index they travel as. */
  readonly tags: readonly OutputTag<unknown>[];
  /** The keyed operators that run in workers, by plan node id. */
  readonly operators: ReadonlyMap<number, ShippedOperator>;
  /**
   * Their key selectors that could be shipped, by plan node id: a keyed operator fed directly by another
   * gets its records from that one's workers (the keyed exchange). Key selectors run in the main thread
   * otherwise, so one that cannot be shipped is no error.
   */
  readonly keys: ReadonlyMap<number, Shipped>;
}

/** The options of `start` that concern parallel execution. */
export interface ParallelStartOptions {
  readonly parallelism?: number | undefined;
  readonly captures?: Readonly<Record<string, unknown>> | undefined;
}

/** Checks the options and ships every keyed operator; undefined for parallelism 1 (the default). */
export function planParallel(plan: Plan, options: ParallelStartOptions): ParallelPlan | undefined {
  const parallelism = options.parallelism ?? 1;
  if (typeof parallelism !== "number" || !Number.isInteger(parallelism) || parallelism < 1 || parallelism > KEY_GROUPS) {
    throw new RangeError(`start: parallelism must be an integer from 1 to ${KEY_GROUPS}, got ${String(options.parallelism)}`);
  }
  const captures = options.captures;
  if (captures !== undefined && (captures === null || typeof captures !== "object" || Array.isArray(captures))) {
    throw new TypeError("start: captures must be an object { name: value } of the variables shipped functions use");
  }
  if (parallelism === 1) return undefined;
  const tags: OutputTag<unknown>[] = [];
  const context: ShipContext = { parallelism, captureNames: new Set(Object.keys(captures ?? {})), tags };
  const shippedCaptures = shipCaptures(captures, context);
  const operators = new Map<number, ShippedOperator>();
  const keys = new Map<number, Shipped>();
  const shipKey = (node: Extract<PlanNode, { kind: "window" | "process" }>): void => {
    const known = tags.length;
    try {
      keys.set(node.id, shipValue(node.key, node.name, "the key selector", context));
    } catch (error) {
      if (!(error instanceof ShipError)) throw error;
      tags.length = known;
    }
  };
  for (const node of allNodes(plan)) {
    if (node.kind === "window") {
      const ship = (value: unknown, path: string) => shipValue(value, node.name, path, context);
      let lateTag: number | undefined;
      if (node.lateTag !== undefined) {
        lateTag = tags.indexOf(node.lateTag);
        if (lateTag < 0) lateTag = tags.push(node.lateTag) - 1;
      }
      operators.set(node.id, {
        kind: "window",
        name: node.name,
        assigner: ship(node.assigner, "the window assigner"),
        trigger: ship(node.trigger, "the trigger"),
        allowedLateness: node.allowedLateness,
        lateTag,
        aggregate: ship(node.aggregate, "the aggregate function"),
        result: ship(node.result, "the result function"),
      });
      shipKey(node);
    } else if (node.kind === "process") {
      operators.set(node.id, { kind: "process", name: node.name, fn: shipValue(node.fn, node.name, "the process function", context) });
      shipKey(node);
    }
  }
  return { parallelism, captures: shippedCaptures, tags, operators, keys };
}

function allNodes(plan: Plan): PlanNode[] {
  const seen = new Set<number>();
  const out: PlanNode[] = [];
  const visit = (node: PlanNode): void => {
    if (seen.has(node.id)) return;
    seen.add(node.id);
    for (const input of inputsOf(node)) visit(input);
    out.push(node);
  };
  for (const sink of plan.sinks) visit(sink);
  return out;
}
