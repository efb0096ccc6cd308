/**
 * What a window firing produces: the key, the window bounds and the aggregated value, plus why it fired.
 * Early firings (continuous triggers) and late re-firings are updates of the same (key, window) result.
 */

/** Why a window result was emitted. */
export type FiringKind = "early" | "onTime" | "late";

/** The context a window result function sees. */
export interface WindowContext<K> {
  readonly key: K;
  /** Window start (inclusive, ms). */
  readonly start: number;
  /** Window end (exclusive, ms). */
  readonly end: number;
  /** The operator's watermark when the window fired. */
  readonly watermark: number;
  readonly firing: FiringKind;
}

/** The default output of a windowed aggregation: one record per firing. */
export interface WindowResult<K, V> extends WindowContext<K> {
  readonly value: V;
}
