/** flatMap: zero or more outputs per record, all with the record's timestamp. */
import type { Output } from "../operator.js";
import { callUser } from "../user-function-error.js";
import { BaseOperator } from "./base-operator.js";

/** Runs a flatMap function. */
export class FlatMapOperator extends BaseOperator {
  constructor(name: string, out: Output, private readonly fn: (value: unknown) => Iterable<unknown>) {
    super(name, out, 1);
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    this.counters.recordsIn++;
    callUser(this.name, value, () => {
      const results = this.fn(value);
      if (results === null || typeof (results as Iterable<unknown>)[Symbol.iterator] !== "function") {
        throw new TypeError(`the function must return an iterable (an array, a Set, a generator), got ${results === null ? "null" : typeof results}`);
      }
      for (const r of results) this.emit(r, timestamp);
    });
  }
}
