/** The alignment arithmetic shared by tumbling and sliding windows (rule 4). */

/**
 * The start of the window of length `size` (aligned to `offset`) containing `timestamp`:
 * `timestamp − ((timestamp − offset) mod size)` with a non-negative modulo, so negative timestamps
 * align downwards: `windowStart(-1, 0, 10)` is −10 (window [−10, 0)), `windowStart(9, 0, 10)` is 0,
 * `windowStart(10, 0, 10)` is 10.
 */
export function windowStart(timestamp: number, offset: number, size: number): number {
  return timestamp - mod(timestamp - offset, size);
}

/** The non-negative remainder of `a` divided by positive `b` (`mod(-3, 10)` is 7). */
export function mod(a: number, b: number): number {
  const r = a % b;
  return r < 0 ? r + b : r;
}
