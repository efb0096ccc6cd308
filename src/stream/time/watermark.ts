/**
 * Watermarks: "no record with a timestamp ≤ w is expected any more". −∞ before the first, +∞ at the
 * end of input (every window fires).
 */

/** The watermark before any record. */
export const NO_WATERMARK = -Infinity;
/** The watermark at the end of input. */
export const END_OF_TIME = Infinity;

/** Whether `value` is a valid event timestamp: a finite integer number of ms. */
export function isValidTimestamp(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}
