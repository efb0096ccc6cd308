/**
 * Keyed process functions (Flink's KeyedProcessFunction): user code that sees one record at a time with
 * the record's key, keeps keyed state (value, list and map state, with an optional time to live), sets
 * event- and processing-time timers, and emits to the main output or to side outputs.
 */
import type { OutputTag } from "./output-tag.js";

/** Options of a state handle. */
export interface StateOptions {
  /**
   * Time to live in ms of processing time, counted from the last write (refreshed on create and write,
   * not on read, as Flink's default); an expired value is never returned.
   */
  ttl?: number;
}

/** A single value per key. */
export interface ValueState<V> {
  /** The value, or undefined when unset or expired. */
  get(): V | undefined;
  set(value: V): void;
  clear(): void;
}

/** A list per key (each element expires on its own with a TTL). */
export interface ListState<V> {
  /** The live elements, in insertion order (a copy). */
  get(): V[];
  add(value: V): void;
  /** Replaces the whole list. */
  update(values: readonly V[]): void;
  clear(): void;
}

/** A map per key (each entry expires on its own with a TTL). Map keys follow the same rules as stream keys. */
export interface MapState<MK, V> {
  get(key: MK): V | undefined;
  set(key: MK, value: V): void;
  has(key: MK): boolean;
  delete(key: MK): void;
  /** The live entries (a copy). */
  entries(): [MK, V][];
  clear(): void;
}

/** Keyed state of the current key, by name. A name keeps its kind: asking for it as another kind is an error. */
export interface KeyedStateAccess {
  value<V>(name: string, options?: StateOptions): ValueState<V>;
  list<V>(name: string, options?: StateOptions): ListState<V>;
  map<MK, V>(name: string, options?: StateOptions): MapState<MK, V>;
}

/** Timers of the current key: a timer is (key, time), registered once however often it is set. */
export interface TimerService {
  /** Fires once the watermark reaches `time`. */
  registerEventTime(time: number): void;
  deleteEventTime(time: number): void;
  /** Fires once processing time reaches `time`. */
  registerProcessingTime(time: number): void;
  deleteProcessingTime(time: number): void;
}

/** What a process function sees and can do for one record or timer. */
export interface ProcessContext<K, R> {
  readonly key: K;
  /** The record's event timestamp (the timer's time in onTimer); undefined without event time. */
  readonly timestamp: number | undefined;
  /** The operator's current watermark. */
  readonly watermark: number;
  /** The current processing time, ms. */
  readonly processingTime: number;
  readonly state: KeyedStateAccess;
  readonly timers: TimerService;
  /** Emits a record (with the current timestamp). */
  emit(value: R): void;
  /** Emits a record to a side output. */
  output<S>(tag: OutputTag<S>, value: S): void;
}

/** The context of a timer firing. */
export interface TimerContext<K, R> extends ProcessContext<K, R> {
  /** Which clock the firing timer belongs to. */
  readonly domain: "event" | "processing";
}

/** A keyed process function over T records, emitting R. */
export interface KeyedProcessFunction<T, K, R> {
  processElement(value: T, context: ProcessContext<K, R>): void;
  onTimer?(time: number, context: TimerContext<K, R>): void;
}
