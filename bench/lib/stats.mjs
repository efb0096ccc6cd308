/**
 * Summary statistics of latency samples.
 */

/**
 * The q-quantile (0 ≤ q ≤ 1) of the samples, interpolating linearly between closest ranks.
 * @param {readonly number[]} samples
 * @param {number} q
 * @returns {number}
 */
export function quantile(samples, q) {
  if (samples.length === 0) throw new RangeError("quantile of no samples");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * @param {readonly number[]} samples
 * @returns {{ median: number, p95: number, min: number, max: number, n: number }}
 */
export function summarize(samples) {
  return {
    median: quantile(samples, 0.5),
    p95: quantile(samples, 0.95),
    min: Math.min(...samples),
    max: Math.max(...samples),
    n: samples.length,
  };
}

/**
 * Rounds to `digits` decimals (for printing and JSON).
 * @param {number} value
 * @param {number} [digits]
 * @returns {number}
 */
export function round(value, digits = 3) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
