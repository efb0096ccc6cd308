/**
 * The worker's side of shipping: rebuilds functions from their source in one scope holding the job's
 * captures (functions among the captures may refer to each other), built-ins by calling the same
 * factory, output tags as stand-ins the worker maps back to indices.
 */
import { OutputTag } from "../../api/output-tag.js";
import * as aggregates from "../../aggregates/index.js";
import { collectElements } from "../../aggregates/collect-elements.js";
import { reduceAggregate } from "../../aggregates/reduce.js";
import * as windowing from "../../windowing/index.js";
import type { Shipped, ShippedCaptures } from "./shipped.js";

/** Every factory a built-in may come from, by name. */
const FACTORIES: Readonly<Record<string, (...args: never[]) => unknown>> = {
  ...(aggregates as unknown as Record<string, (...args: never[]) => unknown>),
  ...(windowing as unknown as Record<string, (...args: never[]) => unknown>),
  reduceAggregate,
  collectElements,
};

/** Rebuilds shipped values in one worker. */
export class Rebuilder {
  private readonly compile: (source: string) => unknown;
  /** Stand-ins of the job's output tags, by index. */
  private readonly tagObjects: OutputTag<unknown>[] = [];
  private readonly tagIndex = new Map<OutputTag<unknown>, number>();

  constructor(captures: ShippedCaptures) {
    const names = captures.map(([name]) => name);
    // Strict code; the captures are `let` bindings of this scope, assigned once all are rebuilt, so
    // captured functions can call each other. Direct eval compiles shipped sources in this scope.
    const scope = new Function(
      `"use strict"; let ${names.length === 0 ? "__sluice_unused__" : names.join(", ")};` +
        `return { compile: (__sluice_source__) => eval(__sluice_source__), ` +
        `assign: (__sluice_values__) => { ${names.map((n) => `${n} = __sluice_values__[${JSON.stringify(n)}];`).join(" ")} } };`,
    )() as { compile: (source: string) => unknown; assign: (values: Record<string, unknown>) => void };
    this.compile = scope.compile;
    const values: Record<string, unknown> = {};
    for (const [name, shipped] of captures) values[name] = this.value(shipped);
    scope.assign(values);
  }

  /** The value `shipped` stands for. */
  value(shipped: Shipped): unknown {
    switch (shipped.t) {
      case "value":
        return shipped.value;
      case "function":
        return this.compile(shipped.source);
      case "array":
        return shipped.items.map((i) => this.value(i));
      case "object":
        return Object.fromEntries(shipped.props.map(([k, v]) => [k, this.value(v)]));
      case "tag":
        return this.tag(shipped.index);
      case "builtin": {
        const factory = FACTORIES[shipped.factory];
        if (typeof factory !== "function") throw new Error(`no built-in factory ${shipped.factory} in the worker`);
        return (factory as (...args: unknown[]) => unknown)(...shipped.args.map((a) => this.value(a)));
      }
    }
  }

  /** The stand-in of output tag `index`. */
  tag(index: number): OutputTag<unknown> {
    let tag = this.tagObjects[index];
    if (tag === undefined) {
      tag = new OutputTag<unknown>(`tag ${index}`);
      this.tagObjects[index] = tag;
      this.tagIndex.set(tag, index);
    }
    return tag;
  }

  /** The index of a stand-in tag (a tag made in the worker itself is refused: main cannot route it). */
  indexOfTag(tag: OutputTag<unknown>): number {
    const index = this.tagIndex.get(tag);
    if (index === undefined) {
      throw new Error(`side output ${String(tag)} was created inside a worker thread: create output tags outside and pass them with captures`);
    }
    return index;
  }
}
