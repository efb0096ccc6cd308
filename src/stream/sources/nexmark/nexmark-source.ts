/**
 * The Nexmark source: the generator as a checkpointable {@link Source}. A split's position is the next
 * event number it will emit, so restore is exact (event n is a pure function of seed and n).
 */
import type { Source, SourceBatch, SourceSplit, SplitPosition, SplitReader } from "../source.js";
import type { NexmarkEvent } from "./nexmark-events.js";
import { resolveNexmarkConfig, type NexmarkConfig, type NexmarkOptions } from "./nexmark-config.js";
import { NexmarkGenerator } from "./nexmark-generator.js";

/** A split of the Nexmark source: which event numbers it reads. */
export interface NexmarkSplit extends SourceSplit {
  /** This split's index, 0 … count − 1. */
  readonly index: number;
  /** The first event number of the split. */
  readonly first: number;
  /** Distance between consecutive event numbers of the split (the split count when interleaved, else 1). */
  readonly step: number;
  /** One past the last event number (`Infinity` when unbounded). */
  readonly end: number;
}

/**
 * A deterministic Nexmark event source (Person : Auction : Bid = 1 : 3 : 46).
 *
 * @example
 * ```ts
 * const source = nexmark({ seed: 1, eventsPerSecond: 10_000, maxEvents: 1_000_000 });
 * // unbounded, live (events released as their event time comes due, 10× faster than real time):
 * const live = nexmark({ seed: 1, firstEventTime: Date.now(), pace: { speedUp: 10 } });
 * ```
 */
export function nexmark(options: NexmarkOptions = {}): NexmarkSource {
  return new NexmarkSource(resolveNexmarkConfig(options));
}

/** The source built by {@link nexmark}. */
export class NexmarkSource implements Source<NexmarkEvent> {
  readonly description: string;
  /** {@link description} without pacing: a paced run restores an unpaced run's checkpoints and back. */
  readonly identity: string;
  readonly bounded: boolean;
  /** The number of events, when bounded. */
  readonly size: number | undefined;
  /** The generator shared by this source's readers (usable directly: `source.generator.event(n)`). */
  readonly generator: NexmarkGenerator;

  constructor(readonly config: NexmarkConfig) {
    this.generator = new NexmarkGenerator(config);
    this.bounded = config.maxEvents !== Infinity;
    this.size = this.bounded ? config.maxEvents : undefined;
    const parts = [`seed ${config.seed}`, `${config.eventsPerSecond} events/s`];
    if (this.bounded) parts.push(`${config.maxEvents} events`);
    if (config.splits > 1) parts.push(`${config.splits} ${config.splitMode} splits`);
    this.identity = `nexmark(${parts.join(", ")})`;
    if (config.pace) parts.push(`paced ×${config.pace.speedUp}`);
    this.description = `nexmark(${parts.join(", ")})`;
  }

  /** The splits, synchronously (see {@link splits}). */
  splitList(): readonly NexmarkSplit[] {
    const { splits: count, splitMode, maxEvents } = this.config;
    const out: NexmarkSplit[] = [];
    for (let k = 0; k < count; k++) {
      const id = count === 1 ? "nexmark" : `nexmark-${k}-of-${count}`;
      if (splitMode === "ranged") {
        const first = Math.floor((k * maxEvents) / count);
        out.push({ id, index: k, first, step: 1, end: Math.floor(((k + 1) * maxEvents) / count) });
      } else {
        out.push({ id, index: k, first: Math.min(k, maxEvents), step: count, end: maxEvents });
      }
    }
    return out;
  }

  async splits(): Promise<readonly SourceSplit[]> {
    return this.splitList();
  }

  async open(split: SourceSplit, position?: SplitPosition): Promise<NexmarkReader> {
    const own = this.splitList().find((s) => s.id === split.id);
    if (own === undefined) throw new Error(`${this.description}: unknown split "${split.id}"`);
    let next = own.first;
    if (position !== undefined && position !== null) {
      const valid = typeof position === "number" && Number.isSafeInteger(position) && position >= own.first &&
        (position - own.first) % own.step === 0 && position < own.end + own.step;
      if (!valid) {
        throw new Error(`${this.description}: position ${String(position)} is not an event number of split "${own.id}"` +
          ` (first ${own.first}, step ${own.step}, end ${own.end})`);
      }
      next = position as number;
    }
    return new NexmarkReader(this.generator, own, next);
  }
}

/** Reads one Nexmark split; its position is the next event number. */
export class NexmarkReader implements SplitReader<NexmarkEvent> {
  private next: number;
  private closed = false;
  /** Paced mode: at wall-clock time `anchorWall` the base event time `anchorEventTime` is due. */
  private readonly anchorWall: number;
  private readonly anchorEventTime: number;

  constructor(private readonly generator: NexmarkGenerator, readonly split: NexmarkSplit, start: number) {
    this.next = start;
    this.anchorWall = generator.config.pace?.clock() ?? 0;
    this.anchorEventTime = generator.baseTime(start);
  }

  async poll(max: number): Promise<SourceBatch<NexmarkEvent>> {
    return this.pollSync(max);
  }

  /** {@link poll} without the promise (for benchmarks and tight loops). */
  pollSync(max: number): SourceBatch<NexmarkEvent> {
    if (this.closed) throw new Error(`nexmark split "${this.split.id}": poll after close`);
    const { end, step } = this.split;
    const gen = this.generator;
    const config = gen.config;
    if (config.pace !== undefined) {
      const dueTime = this.anchorEventTime + (config.pace.clock() - this.anchorWall) * config.pace.speedUp;
      let n = this.next;
      const records: NexmarkEvent[] = [];
      while (records.length < max && n < end && gen.baseTime(n) <= dueTime) {
        records.push(gen.event(n));
        n += step;
      }
      this.next = n;
      return { records, status: n >= end ? "end" : records.length === 0 ? "idle" : "more" };
    }
    const count = Math.max(0, Math.min(Math.floor(max), Math.ceil((end - this.next) / step)));
    const records = new Array<NexmarkEvent>(count);
    let n = this.next;
    for (let i = 0; i < count; i++) {
      records[i] = gen.event(n);
      n += step;
    }
    this.next = n;
    return { records, status: n >= end ? "end" : "more" };
  }

  position(): SplitPosition {
    return this.next;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
