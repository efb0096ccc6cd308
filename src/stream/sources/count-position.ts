/** The position of the in-memory sources: the number of items consumed so far. */
import type { SplitPosition } from "./source.js";

/**
 * Checks a restored position of an in-memory source (a non-negative integer count, or absent → 0).
 * Throws naming the source and the value otherwise.
 */
export function checkCountPosition(description: string, position: SplitPosition | undefined): number {
  if (position === undefined || position === null) return 0;
  if (typeof position !== "number" || !Number.isSafeInteger(position) || position < 0) {
    throw new Error(`${description}: position must be a count of consumed items (an integer ≥ 0), got ${String(position)}`);
  }
  return position;
}
