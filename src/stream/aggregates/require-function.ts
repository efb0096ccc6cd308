/** Build-time check of the functions aggregates are given. */

/** Throws a TypeError naming the aggregate and option unless `fn` is a function. */
export function requireFunction(aggregate: string, option: string, fn: unknown): void {
  if (typeof fn !== "function") {
    throw new TypeError(`${aggregate}: ${option} must be a function, got ${fn === null ? "null" : typeof fn}`);
  }
}
