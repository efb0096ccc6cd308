/** The end of a pipeline: collects each batch's records for the job to hand to the sink. */
import type { Sink } from "../../api/sink.js";
import type { Output } from "../operator.js";
import { BaseOperator } from "./base-operator.js";

const NO_OUTPUT: Output = { collect() {}, side() {}, watermark() {}, idle() {} };

/** Buffers records of the current batch for its sink. */
export class SinkOperator extends BaseOperator {
  private pending: unknown[] = [];

  constructor(name: string, readonly sink: Sink<unknown>, channels: number) {
    super(name, NO_OUTPUT, channels);
  }

  processElement(value: unknown): void {
    this.counters.recordsIn++;
    this.pending.push(value);
  }

  /** Takes the records buffered since the last call. */
  drain(): unknown[] {
    const out = this.pending;
    this.pending = [];
    this.counters.recordsOut += out.length;
    return out;
  }
}
