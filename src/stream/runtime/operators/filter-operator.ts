/** filter: the records the predicate accepts. */
import type { Output } from "../operator.js";
import { callUser } from "../user-function-error.js";
import { BaseOperator } from "./base-operator.js";

/** Runs a filter predicate. */
export class FilterOperator extends BaseOperator {
  constructor(name: string, out: Output, private readonly fn: (value: unknown) => boolean) {
    super(name, out, 1);
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    this.counters.recordsIn++;
    if (callUser(this.name, value, () => this.fn(value))) this.emit(value, timestamp);
  }
}
