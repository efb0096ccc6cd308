/**
 * Combines the watermarks of an operator's input channels (Flink's StatusWatermarkValve): the output
 * is the minimum over active channels; idle channels are left out; when all are idle the output is idle.
 * The output never decreases. State for checkpoints: {@link snapshot}.
 */
import { NO_WATERMARK } from "./watermark.js";

/** What changed at the valve's output: its idleness (when it changed) and/or its watermark (when it rose). */
export interface ValveOutput {
  readonly idle?: boolean;
  readonly watermark?: number;
}

const NOTHING: ValveOutput = Object.freeze({});

interface Channel {
  watermark: number;
  idle: boolean;
}

/** The watermark valve of one operator with `channels` inputs. */
export class WatermarkValve {
  private readonly channels: Channel[];
  private output = NO_WATERMARK;
  private outputIdle = false;

  constructor(channels: number) {
    if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`a watermark valve needs at least one channel, got ${channels}`);
    this.channels = Array.from({ length: channels }, () => ({ watermark: NO_WATERMARK, idle: false }));
  }

  /** The combined watermark so far. */
  get watermark(): number {
    return this.output;
  }

  /** A channel's watermark; a lower one than before is ignored (watermarks never go back). */
  inputWatermark(channel: number, value: number): ValveOutput {
    const c = this.channel(channel);
    c.idle = false;
    if (value > c.watermark) c.watermark = value;
    return this.recompute();
  }

  /** A channel went idle (true) or active again (false). */
  inputIdle(channel: number, idle: boolean): ValveOutput {
    this.channel(channel).idle = idle;
    return this.recompute();
  }

  /** Whether the output is idle. */
  get idle(): boolean {
    return this.outputIdle;
  }

  /** The channels' and output's state (plain data). */
  snapshot(): { channels: { watermark: number; idle: boolean }[]; output: number; idle: boolean } {
    return { channels: this.channels.map((c) => ({ ...c })), output: this.output, idle: this.outputIdle };
  }

  /** Restores {@link snapshot}'s result; the channel count must match. */
  restore(state: { channels: { watermark: number; idle: boolean }[]; output: number; idle: boolean }): void {
    if (state.channels.length !== this.channels.length) {
      throw new Error(`a watermark valve of ${this.channels.length} input channels cannot take the state of ${state.channels.length}`);
    }
    state.channels.forEach((c, i) => Object.assign(this.channels[i]!, c));
    this.output = state.output;
    this.outputIdle = state.idle;
  }

  private channel(index: number): Channel {
    const c = this.channels[index];
    if (c === undefined) throw new RangeError(`no input channel ${index}`);
    return c;
  }

  private recompute(): ValveOutput {
    let min = Infinity;
    let active = 0;
    for (const c of this.channels) {
      if (c.idle) continue;
      active++;
      if (c.watermark < min) min = c.watermark;
    }
    if (active === 0) {
      if (this.outputIdle) return NOTHING;
      this.outputIdle = true;
      return { idle: true };
    }
    const resumed = this.outputIdle;
    this.outputIdle = false;
    if (min > this.output) {
      this.output = min;
      return resumed ? { idle: false, watermark: min } : { watermark: min };
    }
    return resumed ? { idle: false } : NOTHING;
  }
}
