/** The aggregate behind `WindowedStream.process`: every element of the window, in arrival order. */
import type { AggregateFunction } from "./aggregate-function.js";
import { describedAs } from "./factory-descriptor.js";

/** Keeps all elements of each window as a list (costs memory, unlike incremental aggregates). */
export function collectElements<T>(): AggregateFunction<T, T[], T[]> {
  return describedAs<AggregateFunction<T, T[], T[]>>(
    {
      description: "process",
      createAccumulator: () => [],
      add: (v, acc) => {
        acc.push(v);
        return acc;
      },
      getResult: (acc) => acc,
      merge: (a, b) => a.concat(b),
    },
    "collectElements",
    [],
  );
}
