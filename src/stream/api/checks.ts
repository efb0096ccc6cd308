/** Build-time checks of builder arguments, with messages naming the call and the value. */

/** Throws unless `fn` is a function. */
export function checkFunction(fn: unknown, call: string): void {
  if (typeof fn !== "function") throw new TypeError(`${call}() takes a function, got ${fn === null ? "null" : typeof fn}`);
}

/** A non-empty operator name. */
export function checkName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0) throw new TypeError(`an operator name must be a non-empty string, got ${String(name)}`);
  return name;
}

/** A non-negative integer number of ms. */
export function checkMillis(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer (ms), got ${String(value)}`);
  }
  return value;
}
