/**
 * The fluent builder, stage by stage as Flink's: DataStream<T> (records of type T) → keyBy →
 * KeyedStream<T, K> → window → WindowedStream<T, K> (trigger, lateness: configuration only) → a window
 * function → DataStream again. Each call adds a plan node; nothing runs until `start()`. The stages
 * refer to each other, so they live in this one file.
 */
import type { PlanNode, TimestampOptions } from "./graph.js";
import type { Pipeline } from "./pipeline.js";
import type { Sink } from "./sink.js";
import { OutputTag } from "./output-tag.js";
import type { AggregateFunction } from "../aggregates/aggregate-function.js";
import type { Trigger } from "../windowing/trigger.js";
import type { WindowAssigner } from "../windowing/window-assigner.js";
import type { WindowContext, WindowResult } from "./window-result.js";
import type { KeyedProcessFunction } from "./process-function.js";
import type { LookupFunction, LookupJoinOptions } from "./lookup.js";
import { checkFunction, checkMillis, checkName } from "./checks.js";
import { collectElements } from "../aggregates/collect-elements.js";
import { reduceAggregate } from "../aggregates/reduce.js";

/** A stream of T records. */
export class DataStream<T> {
  /** @internal */
  constructor(
    /** @internal */ readonly node: PlanNode,
    /** @internal */ readonly pipeline: Pipeline,
  ) {}

  /** One output per record. @example `bids.map((b) => ({ ...b, euros: b.price * 0.908 }))` */
  map<R>(fn: (value: T) => R, name = "map"): DataStream<R> {
    checkFunction(fn, "map");
    return this.next({ kind: "map", id: this.pipeline.newId(), name: checkName(name), input: this.node, fn: fn as (v: unknown) => unknown });
  }

  /**
   * The records for which `fn` is true; a type guard narrows the record type.
   * @example `events.filter((e): e is Bid => e.kind === "bid")`
   */
  filter<S extends T>(fn: (value: T) => value is S, name?: string): DataStream<S>;
  filter(fn: (value: T) => boolean, name?: string): DataStream<T>;
  filter(fn: (value: T) => boolean, name = "filter"): DataStream<T> {
    checkFunction(fn, "filter");
    return this.next({ kind: "filter", id: this.pipeline.newId(), name: checkName(name), input: this.node, fn: fn as (v: unknown) => boolean });
  }

  /** Zero or more outputs per record. @example `lines.flatMap((l) => l.split(" "))` */
  flatMap<R>(fn: (value: T) => Iterable<R>, name = "flatMap"): DataStream<R> {
    checkFunction(fn, "flatMap");
    return this.next({ kind: "flatMap", id: this.pipeline.newId(), name: checkName(name), input: this.node, fn: fn as (v: unknown) => Iterable<unknown> });
  }

  /**
   * Event time: each record's timestamp (integer ms) from `extract`, and watermarks of bounded
   * out-of-orderness (watermark = max timestamp − outOfOrderness − 1), per source split.
   * @example `events.withTimestamps((e) => e.dateTime, { outOfOrderness: 4_000, idleness: 10_000 })`
   */
  withTimestamps(extract: (value: T) => number, options: TimestampOptions = {}): TimestampedStream<T> {
    checkFunction(extract, "withTimestamps");
    if (options === null || typeof options !== "object") throw new TypeError("withTimestamps options must be an object");
    const outOfOrderness = options.outOfOrderness ?? 0;
    if (!Number.isInteger(outOfOrderness) || outOfOrderness < 0) {
      throw new RangeError(`withTimestamps: outOfOrderness must be a non-negative integer (ms), got ${String(outOfOrderness)}`);
    }
    const idleness = options.idleness;
    if (idleness !== undefined && (!Number.isInteger(idleness) || idleness <= 0)) {
      throw new RangeError(`withTimestamps: idleness must be a positive integer (ms), got ${String(idleness)}`);
    }
    const onInvalid = options.onInvalid ?? "fail";
    if (onInvalid !== "fail" && onInvalid !== "drop" && onInvalid !== "sideOutput") {
      throw new RangeError(`withTimestamps: onInvalid must be "fail", "drop" or "sideOutput", got ${String(onInvalid)}`);
    }
    const invalidTag = new OutputTag<T>("invalid-timestamps");
    const node: PlanNode = {
      kind: "timestamps",
      id: this.pipeline.newId(),
      name: "withTimestamps",
      input: this.node,
      extract: extract as (v: unknown) => number,
      options: { outOfOrderness, idleness, onInvalid },
      invalidTag: invalidTag as OutputTag<unknown>,
    };
    return new TimestampedStream<T>(node, this.pipeline, invalidTag);
  }

  /**
   * Enriches each record with a value looked up by key (asynchronously, in order, with an optional LRU
   * cache and retries). Watermarks wait for the lookups of the records before them.
   * @example
   * ```ts
   * bids.lookupJoin(hbaseLookup(conn.table("people"), { map: (row) => row.get("d:name", "string") }), {
   *   key: (b) => `person-${b.bidder}`,
   *   join: (b, name) => ({ ...b, name: name ?? "unknown" }),
   *   cache: { maxRows: 10_000, expireAfterWriteMs: 60_000 },
   * })
   * ```
   */
  lookupJoin<K, V, R>(lookup: LookupFunction<K, V>, options: LookupJoinOptions<T, K, V, R>): DataStream<R> {
    if (lookup === null || typeof lookup !== "object" || typeof lookup.lookup !== "function") {
      throw new TypeError("lookupJoin() takes a lookup function { description, lookup(key) }, e.g. hbaseLookup(table)");
    }
    if (options === null || typeof options !== "object") throw new TypeError("lookupJoin() needs options { key, join }");
    checkFunction(options.key, "lookupJoin key");
    checkFunction(options.join, "lookupJoin join");
    const positive = (value: unknown, what: string, zero: boolean) => {
      if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < (zero ? 0 : 1))) {
        throw new RangeError(`lookupJoin: ${what} must be a ${zero ? "non-negative" : "positive"} integer, got ${String(value)}`);
      }
    };
    positive(options.maxConcurrency, "maxConcurrency", false);
    positive(options.retries, "retries", true);
    if (options.cache !== undefined) {
      if (options.cache === null || typeof options.cache !== "object") throw new TypeError("lookupJoin: cache must be { maxRows, expireAfterWriteMs?, cacheMissing? }");
      positive(options.cache.maxRows, "cache.maxRows", false);
      if (options.cache.maxRows === undefined) throw new RangeError("lookupJoin: cache.maxRows is required");
      positive(options.cache.expireAfterWriteMs, "cache.expireAfterWriteMs", false);
    }
    return this.next({
      kind: "lookup",
      id: this.pipeline.newId(),
      name: `lookup ${lookup.description}`,
      input: this.node,
      fn: lookup as LookupFunction<unknown, unknown>,
      options: options as unknown as LookupJoinOptions<unknown, unknown, unknown, unknown>,
    });
  }

  /** Partitions by key: the keyed operations (windows) that follow see one key at a time. */
  keyBy<K>(key: (value: T) => K): KeyedStream<T, K> {
    checkFunction(key, "keyBy");
    return new KeyedStream<T, K>(this.node, this.pipeline, key);
  }

  /** The records of this stream and the others, interleaved (watermark: the minimum of the inputs). */
  union(...others: DataStream<T>[]): DataStream<T> {
    for (const o of others) if (!(o instanceof DataStream)) throw new TypeError("union takes streams");
    const pipeline = others.reduce((p, o) => p.absorb(o.pipeline), this.pipeline.resolve());
    return new DataStream<T>({ kind: "union", id: pipeline.newId(), name: "union", inputs: [this.node, ...others.map((o) => o.node)] }, pipeline);
  }

  /**
   * The records the operator that made this stream sent to the side output `tag` (late records of a
   * window with `sideOutputLateData(tag)`, records with invalid timestamps).
   */
  sideOutput<S>(tag: OutputTag<S>): DataStream<S> {
    if (!(tag instanceof OutputTag)) throw new TypeError("sideOutput takes an OutputTag");
    return new DataStream<S>({ kind: "sideOutput", id: this.pipeline.newId(), name: `side output ${tag.name}`, input: this.node, tag: tag as OutputTag<unknown> }, this.pipeline);
  }

  /** Ends the stream in `sink`; returns the pipeline, to `start()` it. */
  to(sink: Sink<T>): Pipeline {
    if (sink === null || typeof sink !== "object" || typeof sink.write !== "function") {
      throw new TypeError("to() takes a sink: an object with write(records), e.g. collect() or callback(fn)");
    }
    const pipeline = this.pipeline.resolve();
    pipeline.addSink({ kind: "sink", id: pipeline.newId(), name: sink.description, input: this.node, sink: sink as Sink<unknown> });
    return pipeline;
  }

  private next<R>(node: PlanNode): DataStream<R> {
    return new DataStream<R>(node, this.pipeline);
  }
}

/** A stream with event time; its records without a valid timestamp are at {@link invalidTimestamps}. */
export class TimestampedStream<T> extends DataStream<T> {
  /** @internal */
  constructor(node: PlanNode, pipeline: Pipeline, private readonly invalidTag: OutputTag<T>) {
    super(node, pipeline);
  }

  /** Records whose timestamp was not a finite integer (with `onInvalid: "sideOutput"`). */
  invalidTimestamps(): DataStream<T> {
    return this.sideOutput(this.invalidTag);
  }
}

/** A stream partitioned by key K. */
export class KeyedStream<T, K> {
  /** @internal */
  constructor(
    private readonly node: PlanNode,
    private readonly pipeline: Pipeline,
    private readonly key: (value: T) => K,
  ) {}

  /**
   * Runs a keyed process function: per record, the key's state and timers.
   * @example
   * ```ts
   * bids.keyBy((b) => b.bidder).process<string>({
   *   processElement(bid, ctx) {
   *     const seen = ctx.state.value<number>("seen");
   *     seen.set((seen.get() ?? 0) + 1);
   *     if (seen.get() === 100) ctx.emit(`bidder ${ctx.key} placed 100 bids`);
   *   },
   * })
   * ```
   */
  process<R>(fn: KeyedProcessFunction<T, K, R>, name = "process"): DataStream<R> {
    if (fn === null || typeof fn !== "object" || typeof fn.processElement !== "function") {
      throw new TypeError("process() takes an object with processElement(value, ctx) (and optionally onTimer(time, ctx))");
    }
    if (fn.onTimer !== undefined && typeof fn.onTimer !== "function") throw new TypeError("process(): onTimer must be a function");
    return new DataStream<R>(
      {
        kind: "process",
        id: this.pipeline.newId(),
        name: checkName(name),
        input: this.node,
        key: this.key as (v: unknown) => unknown,
        fn: fn as KeyedProcessFunction<unknown, unknown, unknown>,
      },
      this.pipeline,
    );
  }

  /**
   * Windows per key. @example `bids.keyBy((b) => b.auction).window(sliding(10_000, 2_000)).aggregate(count())`
   */
  window(assigner: WindowAssigner): WindowedStream<T, K> {
    if (assigner === null || typeof assigner !== "object" || typeof assigner.assignWindows !== "function") {
      throw new TypeError("window() takes a window assigner, e.g. tumbling(10_000), sliding(10_000, 2_000) or session(5_000)");
    }
    return new WindowedStream<T, K>(this.node, this.pipeline, this.key, assigner, assigner.defaultTrigger(), 0, undefined);
  }
}

/** Windows of a keyed stream, being configured; a window function makes it a stream again. */
export class WindowedStream<T, K> {
  /** @internal */
  constructor(
    private readonly node: PlanNode,
    private readonly pipeline: Pipeline,
    private readonly key: (value: T) => K,
    private readonly assigner: WindowAssigner,
    private readonly windowTrigger: Trigger,
    private readonly lateness: number,
    private readonly lateTag: OutputTag<T> | undefined,
  ) {}

  /** Replaces the assigner's default trigger (e.g. `continuousEventTimeTrigger(1_000)` for live charts). */
  trigger(trigger: Trigger): WindowedStream<T, K> {
    if (trigger === null || typeof trigger !== "object" || typeof trigger.onElement !== "function") {
      throw new TypeError("trigger() takes a trigger, e.g. eventTimeTrigger() or continuousEventTimeTrigger(1_000)");
    }
    if (this.assigner.mergeWindows !== undefined && !trigger.canMerge()) {
      throw new Error(`trigger ${trigger.description} cannot merge windows, which ${this.assigner.description} needs`);
    }
    return new WindowedStream<T, K>(this.node, this.pipeline, this.key, this.assigner, trigger, this.lateness, this.lateTag);
  }

  /** Keeps windows this long (ms) past their end: late records update and re-fire them. */
  allowedLateness(ms: number): WindowedStream<T, K> {
    return new WindowedStream<T, K>(this.node, this.pipeline, this.key, this.assigner, this.windowTrigger, checkMillis(ms, "allowedLateness"), this.lateTag);
  }

  /** Sends records too late for all their windows to the side output `tag` instead of dropping them. */
  sideOutputLateData(tag: OutputTag<T>): WindowedStream<T, K> {
    if (!(tag instanceof OutputTag)) throw new TypeError("sideOutputLateData takes an OutputTag");
    return new WindowedStream<T, K>(this.node, this.pipeline, this.key, this.assigner, this.windowTrigger, this.lateness, tag);
  }

  /**
   * Aggregates each window incrementally; emits a {@link WindowResult} per firing, or what `result`
   * makes of the value and the window.
   * @example `.aggregate(count())` or `.aggregate(max((b: Bid) => b.price), (price, w) => ({ end: w.end, price }))`
   */
  aggregate<ACC, V>(fn: AggregateFunction<T, ACC, V>): DataStream<WindowResult<K, V>>;
  aggregate<ACC, V, R>(fn: AggregateFunction<T, ACC, V>, result: (value: V, window: WindowContext<K>) => R): DataStream<R>;
  aggregate<ACC, V, R>(fn: AggregateFunction<T, ACC, V>, result?: (value: V, window: WindowContext<K>) => R): DataStream<R | WindowResult<K, V>> {
    for (const m of ["createAccumulator", "add", "getResult", "merge"] as const) {
      if (typeof (fn as unknown as Record<string, unknown>)?.[m] !== "function") {
        throw new TypeError(`aggregate() takes an aggregate function with ${m}(), e.g. count(), sum(fn) or aggregate({ create, add, merge, result })`);
      }
    }
    if (result !== undefined) checkFunction(result, "aggregate result");
    const toResult = result ?? ((value: V, w: WindowContext<K>): WindowResult<K, V> => ({ ...w, value }));
    const name = `window ${this.assigner.description} ${fn.description ?? "aggregate"}`;
    const node: PlanNode = {
      kind: "window",
      id: this.pipeline.newId(),
      name,
      input: this.node,
      key: this.key as (v: unknown) => unknown,
      assigner: this.assigner,
      trigger: this.windowTrigger,
      allowedLateness: this.lateness,
      lateTag: this.lateTag as OutputTag<unknown> | undefined,
      aggregate: fn as AggregateFunction<unknown, unknown, unknown>,
      result: toResult as (value: unknown, context: WindowContext<unknown>) => unknown,
    };
    return new DataStream<R | WindowResult<K, V>>(node, this.pipeline);
  }

  /** Combines each window's records pairwise; the result is of the record type. */
  reduce(fn: (a: T, b: T) => T): DataStream<WindowResult<K, T>> {
    checkFunction(fn, "reduce");
    return this.aggregate(reduceAggregate(fn));
  }

  /** Sees all records of each window at every firing (kept as a list: costs memory, unlike aggregate). */
  process<R>(fn: (records: readonly T[], window: WindowContext<K>) => Iterable<R>): DataStream<R> {
    checkFunction(fn, "process");
    const all = this.aggregate<T[], T[], Iterable<R>>(collectElements<T>(), fn);
    return all.flatMap((rs) => rs, "process results");
  }
}
