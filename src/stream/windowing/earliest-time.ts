/** Combining fire times of merged windows (the continuous triggers keep the earliest). */

/** The smallest number among trigger state values (undefined when none is a number). */
export function earliestTime(values: readonly unknown[]): number | undefined {
  let min: number | undefined;
  for (const v of values) if (typeof v === "number" && (min === undefined || v < min)) min = v;
  return min;
}
