/**
 * The inputs of a worker fed by the keyed exchange: one channel per worker of the upstream keyed
 * operator, each a FIFO of input events. Records are taken in as they arrive; a control event
 * (watermark, idleness, processing-time tick, flush marker) is taken once every channel has it next —
 * every upstream worker sends the same control events in the same order — and then once. So the
 * operator sees the same sequence a single upstream operator would send (every record its firing at a
 * watermark emitted comes before that watermark), as the main thread does when it merges workers'
 * outputs, and a flush marker is passed only when everything before it on every channel was.
 */
import type { InputEvent } from "./worker-protocol.js";

/** What the aligner hands on: records (kind 0) one by one, control events once aligned. */
export interface AlignedInput {
  record(event: Extract<InputEvent, { 0: 0 }>): void;
  control(event: Exclude<InputEvent, { 0: 0 | 4 }>): void;
}

/** Aligns the control events of several input channels. */
export class ChannelAligner {
  private readonly queues: InputEvent[][];
  private readonly positions: number[];

  constructor(
    channels: number,
    private readonly into: AlignedInput,
  ) {
    this.queues = Array.from({ length: channels }, () => []);
    this.positions = Array.from({ length: channels }, () => 0);
  }

  /** Takes channel `channel`'s next events in, and hands on everything that can go. */
  push(channel: number, events: readonly InputEvent[]): void {
    const queue = this.queues[channel];
    if (queue === undefined) throw new RangeError(`no exchange input channel ${channel}`);
    if (queue.length === 0 && this.positions[channel] === 0) {
      this.queues[channel] = events as InputEvent[];
    } else {
      for (const e of events) queue.push(e);
    }
    this.drain();
  }

  /** Whether every channel has been taken in completely (nothing waits for alignment). */
  get empty(): boolean {
    return this.queues.every((q, c) => this.positions[c]! >= q.length);
  }

  private drain(): void {
    const queues = this.queues;
    const pos = this.positions;
    const n = queues.length;
    for (;;) {
      for (let c = 0; c < n; c++) {
        const queue = queues[c]!;
        let p = pos[c]!;
        for (; p < queue.length; p++) {
          const e = queue[p]!;
          if (e[0] !== 0) break;
          this.into.record(e);
        }
        pos[c] = p;
      }
      for (let c = 0; c < n; c++) if (pos[c]! >= queues[c]!.length) return this.compact();
      const event = queues[0]![pos[0]!]!;
      for (let c = 0; c < n; c++) {
        const other = queues[c]![pos[c]!]!;
        if (other[0] !== event[0] || other[1] !== event[1]) {
          throw new Error(`the keyed exchange's input channels disagree on their control events (${JSON.stringify(event)} and ${JSON.stringify(other)}; internal error)`);
        }
        pos[c]!++;
      }
      if (event[0] === 4) throw new Error("a partial accumulator came through the keyed exchange (internal error)");
      this.into.control(event as Exclude<InputEvent, { 0: 0 | 4 }>);
    }
  }

  /** Forgets what was handed on. */
  private compact(): void {
    for (let c = 0; c < this.queues.length; c++) {
      const queue = this.queues[c]!;
      const p = this.positions[c]!;
      if (p === 0) continue;
      this.queues[c] = p >= queue.length ? [] : queue.slice(p);
      this.positions[c] = 0;
    }
  }
}
