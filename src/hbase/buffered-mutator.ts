/**
 * The buffered mutator (HBase's `BufferedMutator`), written once on top of the {@link Table} interface
 * so that every backend has it: mutations are checked and buffered, then written in batches (see
 * {@link writeMutations}) when the buffer is full (rows or estimated bytes), when the flush interval
 * has passed since the first buffered mutation, on `flush()` and on `close()`.
 *
 * Flushes run one at a time, in order: each takes the whole buffer when it starts, so mutations given
 * during a flush go to the next one. A `mutate` that fills the buffer returns the promise of the flush
 * that writes it, so a producer that awaits `mutate` holds at most about one buffer in memory.
 */
import type { BufferedMutator, BufferedMutatorOptions, Mutation, Table } from "./table.js";
import type { TableName } from "./model/table-descriptor.js";
import { BufferedMutatorError } from "./buffered-mutator-error.js";
import { checkMutation } from "./mutation-check.js";
import { writeMutations } from "./mutation-batch-writer.js";

/** Default `maxBytes`: 2 MiB, HBase's `hbase.client.write.buffer`. */
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
/** Default `flushIntervalMs`. */
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
/** Longest flush interval (setTimeout's limit, about 24.8 days). */
const MAX_FLUSH_INTERVAL_MS = 2 ** 31 - 1;

const OPTION_NAMES = new Set(["maxRows", "maxBytes", "flushIntervalMs", "onError"]);

/** Options with defaults applied. */
interface Settings {
  readonly maxRows: number;
  readonly maxBytes: number;
  readonly flushIntervalMs: number;
  readonly onError: ((error: Error, failedMutations: readonly Mutation[]) => void) | undefined;
}

/** A flush queued or running, and whether its promise was given to a caller. */
interface FlushJob {
  readonly promise: Promise<void>;
  awaited: boolean;
}

function formatTable(name: TableName): string {
  return name.namespace === "default" ? name.name : `${name.namespace}:${name.name}`;
}

/** Options checked, defaults applied; throws naming the bad option. */
function settingsOf(options: BufferedMutatorOptions | undefined, label: string): Settings {
  const prefix = `bufferedMutator(${label})`;
  if (options === undefined) options = {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${prefix}: options must be an object { maxRows?, maxBytes?, flushIntervalMs?, onError? }`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) throw new Error(`${prefix}: unknown option "${key}" (options: ${[...OPTION_NAMES].join(", ")})`);
  }
  const positive = (name: "maxRows" | "maxBytes", value: unknown, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      throw new Error(`${prefix}: ${name} must be a positive integer, got ${String(value)}`);
    }
    return value;
  };
  const interval = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  if (typeof interval !== "number" || !Number.isFinite(interval) || interval < 0 || interval > MAX_FLUSH_INTERVAL_MS) {
    throw new Error(`${prefix}: flushIntervalMs must be a number of milliseconds from 0 (no timer) to ${MAX_FLUSH_INTERVAL_MS}, got ${String(interval)}`);
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new TypeError(`${prefix}: onError must be a function (error, failedMutations) => void, got ${typeof options.onError}`);
  }
  return {
    maxRows: positive("maxRows", options.maxRows, Infinity),
    maxBytes: positive("maxBytes", options.maxBytes, DEFAULT_MAX_BYTES),
    flushIntervalMs: interval,
    onError: options.onError,
  };
}

/**
 * A buffered mutator writing to `table` through its `putMany` and `delete`. Throws at once on invalid
 * options. Backends implement `Connection.bufferedMutator` with this.
 */
export function createBufferedMutator(table: Table, options?: BufferedMutatorOptions): BufferedMutator {
  return new TableBufferedMutator(table, options);
}

/** The {@link BufferedMutator} over a {@link Table}. */
class TableBufferedMutator implements BufferedMutator {
  readonly table: TableName;
  private readonly label: string;
  private readonly settings: Settings;
  private buffer: Mutation[] = [];
  private bytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The flush that will take the current buffer, queued behind the one in flight. */
  private next: FlushJob | undefined;
  /** Settles (never rejecting) when the last flush started or queued has finished. */
  private tail: Promise<void> = Promise.resolve();
  /** The failure of a flush nobody awaited, while there is no onError: the next call rejects with it. */
  private unreported: Error | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly target: Table,
    options: BufferedMutatorOptions | undefined,
  ) {
    this.table = target.name;
    this.label = formatTable(target.name);
    this.settings = settingsOf(options, this.label);
  }

  get pendingMutations(): number {
    return this.buffer.length;
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  mutate(mutations: Mutation | readonly Mutation[]): Promise<void> {
    let list: readonly Mutation[];
    const sizes: number[] = [];
    try {
      if (this.closing !== undefined) throw new Error(`the buffered mutator of table ${this.label} is closed`);
      const many = Array.isArray(mutations);
      list = many ? (mutations as readonly Mutation[]) : [mutations as Mutation];
      list.forEach((m, i) => sizes.push(checkMutation(m, `buffered mutator of table ${this.label}: ${many ? `mutation ${i}` : "mutation"}`)));
    } catch (error) {
      return Promise.reject(error);
    }
    const earlier = this.takeUnreported();
    if (earlier !== undefined) return Promise.reject(earlier);
    if (list.length === 0) return Promise.resolve();
    const wasEmpty = this.buffer.length === 0;
    list.forEach((m, i) => {
      this.buffer.push(m);
      this.bytes += sizes[i]!;
    });
    if (this.buffer.length >= this.settings.maxRows || this.bytes >= this.settings.maxBytes) {
      const job = this.schedule();
      job.awaited = true;
      return job.promise;
    }
    if (wasEmpty) this.startTimer();
    return Promise.resolve();
  }

  flush(): Promise<void> {
    const job = this.schedule();
    job.awaited = true;
    return job.promise;
  }

  close(): Promise<void> {
    if (this.closing === undefined) {
      this.clearTimer();
      this.closing = this.flush();
    }
    return this.closing;
  }

  // ---------------------------------------------------------------------------------------------

  private startTimer(): void {
    if (this.settings.flushIntervalMs === 0 || this.timer !== undefined || this.closing !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.schedule();
    }, this.settings.flushIntervalMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private takeUnreported(): Error | undefined {
    const error = this.unreported;
    this.unreported = undefined;
    return error;
  }

  /** The flush that will take the current buffer: the one already queued, or a new one. */
  private schedule(): FlushJob {
    if (this.next !== undefined) return this.next;
    const previous = this.tail;
    const run = async (): Promise<void> => {
      await previous;
      // From here on, mutate() fills a new buffer for the next flush.
      this.next = undefined;
      this.clearTimer();
      const batch = this.buffer;
      this.buffer = [];
      this.bytes = 0;
      let error: BufferedMutatorError | undefined;
      if (batch.length > 0) {
        const failures = await writeMutations(this.target, batch);
        if (failures.length > 0) error = new BufferedMutatorError(this.label, failures, batch.length);
      }
      if (error !== undefined) throw this.report(error, job);
      if (job.awaited) {
        const earlier = this.takeUnreported();
        if (earlier !== undefined) throw earlier;
      }
      if (this.buffer.length > 0) this.startTimer();
    };
    const job: FlushJob = { promise: run(), awaited: false };
    this.next = job;
    this.tail = job.promise.then(
      () => undefined,
      () => undefined,
    );
    return job;
  }

  /**
   * Gives a failed flush's error to onError, or keeps it for the next call when there is no onError and
   * nobody awaits the flush. Returns the error the flush rejects with.
   */
  private report(error: BufferedMutatorError, job: FlushJob): Error {
    const { onError } = this.settings;
    if (onError === undefined) {
      if (!job.awaited) this.unreported = error;
      return error;
    }
    try {
      onError(error, error.failedMutations);
      return error;
    } catch (listenerError) {
      // A throwing listener must not hide the failure, nor its own error.
      const both = new AggregateError([error, listenerError], `${error.message}; and onError threw: ${String((listenerError as Error)?.message ?? listenerError)}`);
      if (!job.awaited) this.unreported = both;
      return both;
    }
  }
}
