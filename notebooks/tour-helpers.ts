/**
 * A local TypeScript module imported by kernel-tour.ipynb (`import ... from "./tour-helpers.ts"`):
 * notebooks can keep shared code in ordinary .ts files next to them.
 */

/** A named series of flow readings. */
export class Flow {
  readonly name: string;
  readonly values: readonly number[];

  constructor(name: string, values: readonly number[]) {
    if (values.length === 0) throw new RangeError(`Flow "${name}" needs at least one reading`);
    this.name = name;
    this.values = values;
  }

  /** The arithmetic mean of the readings. */
  get mean(): number {
    return this.values.reduce((sum, v) => sum + v, 0) / this.values.length;
  }
}

/** One line describing a flow, e.g. `intake: 3 readings, mean 4`. */
export function describeFlow(flow: Flow): string {
  const count = flow.values.length;
  return `${flow.name}: ${count} reading${count === 1 ? "" : "s"}, mean ${Number(flow.mean.toFixed(2))}`;
}
