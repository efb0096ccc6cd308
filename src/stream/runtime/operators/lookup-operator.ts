/**
 * The lookup join (ordered asynchronous I/O): records wait in arrival order for their lookups, which run
 * with bounded concurrency (one lookup per distinct key in flight), through an optional LRU cache, with
 * retries. Watermarks and idleness changes queue behind the records before them. The job settles the
 * operator each round, so a checkpoint never sees a pending lookup.
 */
import type { LookupFunction, LookupJoinOptions } from "../../api/lookup.js";
import type { Output } from "../operator.js";
import { keyId } from "../key-id.js";
import { LruCache } from "../lru-cache.js";
import { UserFunctionError } from "../user-function-error.js";
import { BaseOperator } from "./base-operator.js";

/** What the operator needs from the plan. */
export interface LookupOperatorSpec {
  readonly fn: LookupFunction<unknown, unknown>;
  readonly options: LookupJoinOptions<unknown, unknown, unknown, unknown>;
  readonly now: () => number;
}

type Entry =
  | { kind: "record"; value: unknown; timestamp: number | undefined; id: string; key: unknown; done: boolean; result: unknown }
  | { kind: "watermark"; value: number }
  | { kind: "idle"; value: boolean };

/** Cached "no value". */
const MISSING = Symbol("missing");

/** One lookup-join operator instance. */
export class LookupOperator extends BaseOperator {
  private readonly queue: Entry[] = [];
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly cache: LruCache<string, unknown> | undefined;
  private readonly maxConcurrency: number;
  private readonly retries: number;
  private failure: Error | undefined;

  constructor(name: string, out: Output, private readonly spec: LookupOperatorSpec) {
    super(name, out, 1);
    const { cache, maxConcurrency, retries } = spec.options;
    this.maxConcurrency = maxConcurrency ?? 16;
    this.retries = retries ?? 3;
    this.cache = cache === undefined ? undefined : new LruCache(cache.maxRows, cache.expireAfterWriteMs ?? Infinity, spec.now);
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    this.counters.recordsIn++;
    let key: unknown;
    let id: string;
    try {
      key = this.spec.options.key(value);
      id = keyId(key);
    } catch (error) {
      throw new UserFunctionError(this.name, value, error);
    }
    const entry: Entry = { kind: "record", value, timestamp, id, key, done: false, result: undefined };
    const cached = this.cache?.get(id);
    if (cached !== undefined) {
      entry.done = true;
      entry.result = cached.value === MISSING ? undefined : cached.value;
    }
    this.queue.push(entry);
    if (entry.done && this.queue.length === 1) this.flushReady();
  }

  override processWatermark(value: number, channel: number): void {
    const change = this.valve.inputWatermark(channel, value);
    if (change.idle === false) this.enqueue({ kind: "idle", value: false });
    if (change.watermark !== undefined) this.enqueue({ kind: "watermark", value: change.watermark });
  }

  override processIdle(idle: boolean, channel: number): void {
    const change = this.valve.inputIdle(channel, idle);
    if (change.idle !== undefined) this.enqueue({ kind: "idle", value: change.idle });
    if (change.watermark !== undefined) this.enqueue({ kind: "watermark", value: change.watermark });
  }

  /** Runs the pending lookups and emits everything in order; resolves when the queue is empty. */
  async settle(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.failure !== undefined) throw this.failure;
      const waits: Promise<unknown>[] = [];
      for (const entry of this.queue) {
        if (entry.kind !== "record" || entry.done) continue;
        if (!this.inFlight.has(entry.id)) {
          if (this.inFlight.size >= this.maxConcurrency) break;
          this.start(entry.id, entry.key, entry.value);
        }
        waits.push(this.inFlight.get(entry.id)!);
      }
      const head = this.queue[0]!;
      if (head.kind === "record" && !head.done) await Promise.race(waits.length > 0 ? waits : [this.inFlight.get(head.id)!]);
      if (this.failure !== undefined) throw this.failure;
      this.resolveDone();
      this.flushReady();
    }
  }

  private start(id: string, key: unknown, record: unknown): void {
    const run = async (): Promise<unknown> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.spec.fn.lookup(key);
        } catch (error) {
          if (attempt >= this.retries) throw error;
          await new Promise((r) => setTimeout(r, Math.min(1_000, 10 * 2 ** attempt)));
        }
      }
    };
    const promise = run().then(
      (value) => {
        this.cache?.set(id, value === undefined && (this.spec.options.cache?.cacheMissing ?? true) ? MISSING : value);
        this.results.set(id, value);
        this.inFlight.delete(id);
        return value;
      },
      (error: unknown) => {
        this.inFlight.delete(id);
        this.failure ??= new UserFunctionError(
          this.name,
          record,
          new Error(`lookup of key ${String(key)} in ${this.spec.fn.description} failed after ${this.retries + 1} attempts: ${(error as Error)?.message ?? String(error)}`, { cause: error }),
        );
      },
    );
    this.inFlight.set(id, promise);
  }

  /** Results of finished lookups not yet handed to their records. */
  private readonly results = new Map<string, unknown>();

  private resolveDone(): void {
    for (const entry of this.queue) {
      if (entry.kind !== "record" || entry.done || !this.results.has(entry.id)) continue;
      entry.done = true;
      entry.result = this.results.get(entry.id);
    }
    // Results of keys no queued record still waits for are dropped.
    for (const id of [...this.results.keys()]) {
      if (!this.queue.some((e) => e.kind === "record" && !e.done && e.id === id)) this.results.delete(id);
    }
  }

  private enqueue(entry: Entry): void {
    this.queue.push(entry);
    if (this.queue.length === 1) this.flushReady();
  }

  /** Emits the ready prefix of the queue: joined records, then the watermarks behind them. */
  private flushReady(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === "record") {
        if (!head.done) return;
        this.queue.shift();
        let output: unknown;
        try {
          output = this.spec.options.join(head.value, head.result);
        } catch (error) {
          throw new UserFunctionError(this.name, head.value, error);
        }
        if (output !== undefined) this.emit(output, head.timestamp);
      } else if (head.kind === "watermark") {
        this.queue.shift();
        this.counters.watermark = head.value;
        this.out.watermark(head.value);
      } else {
        this.queue.shift();
        this.out.idle(head.value);
      }
    }
  }
}
