/**
 * Build-time checks of window and trigger options: a bad value throws at once, naming the factory, the
 * option and the value, so a notebook cell fails where the pipeline is written rather than mid-run.
 */

/** Throws unless `value` is a positive safe integer (a size, slide, gap, interval or count). */
export function requirePositiveInteger(factory: string, option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${factory}: ${option} must be a positive integer number of milliseconds, got ${show(value)}`);
  }
  return value;
}

/** Throws unless `value` is a positive safe integer (a count, not a duration). */
export function requirePositiveCount(factory: string, option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${factory}: ${option} must be a positive integer, got ${show(value)}`);
  }
  return value;
}

/** Throws unless `value` is an integer with 0 ≤ value < `limit` (an offset within a size or slide). */
export function requireOffset(factory: string, value: unknown, limitName: string, limit: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value >= limit) {
    throw new RangeError(
      `${factory}: offset must be an integer with 0 ≤ offset < ${limitName} (${limit}), got ${show(value)}` +
        (typeof value === "number" && value < 0 && value > -limit ? ` (a negative offset o is the same as ${limitName} + o)` : ""),
    );
  }
  return value;
}

/** Throws unless `value` is one of the time domains. */
export function requireTimeDomain(factory: string, value: unknown): "event" | "processing" {
  if (value !== "event" && value !== "processing") {
    throw new RangeError(`${factory}: time must be "event" or "processing", got ${show(value)}`);
  }
  return value;
}

/** Throws unless `options` is undefined or a plain object with only the `allowed` keys. */
export function checkOptionKeys(factory: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`${factory}: options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new RangeError(`${factory}: unknown option "${key}" (known: ${allowed.join(", ")})`);
    }
  }
}

/**
 * Throws unless an element's timestamp is a safe integer (milliseconds). Called per element by the
 * assigners, so a record without a valid timestamp fails clearly instead of landing in a NaN window.
 */
export function requireTimestamp(assigner: string, timestamp: number): void {
  if (!Number.isSafeInteger(timestamp)) {
    throw new RangeError(`${assigner}: element timestamp must be an integer number of milliseconds, got ${show(timestamp)}`);
  }
}

/** A short rendering of a value for messages. */
function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (value === null || typeof value !== "object") return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
