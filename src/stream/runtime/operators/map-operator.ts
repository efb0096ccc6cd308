/** map: one output per record, timestamp kept. */
import type { Output } from "../operator.js";
import { callUser } from "../user-function-error.js";
import { BaseOperator } from "./base-operator.js";

/** Runs a map function. */
export class MapOperator extends BaseOperator {
  constructor(name: string, out: Output, private readonly fn: (value: unknown) => unknown) {
    super(name, out, 1);
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    this.counters.recordsIn++;
    this.emit(callUser(this.name, value, () => this.fn(value)), timestamp);
  }
}
