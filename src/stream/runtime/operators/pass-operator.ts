/**
 * Records pass unchanged: union (many channels, watermark = their minimum) and side-output readers
 * (fed by another operator's side output).
 */
import type { Output } from "../operator.js";
import { BaseOperator } from "./base-operator.js";

/** Forwards records; combines the watermarks of its channels. */
export class PassOperator extends BaseOperator {
  constructor(name: string, out: Output, channels: number) {
    super(name, out, channels);
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    this.counters.recordsIn++;
    this.emit(value, timestamp);
  }
}
