/**
 * The layout of aligned windows (tumbling and sliding): what the window operator needs to assign an
 * element to its windows by arithmetic, without asking the assigner for window objects per element.
 */
import type { WindowAssigner } from "./window-assigner.js";

/**
 * Windows `[s, s + size)` for every s with `s ≡ offset (mod slide)`; tumbling windows have
 * `slide === size`. An element at ts is in the windows whose start is `ts − ((ts − offset) mod slide)`
 * and every start stepping down by `slide` while the start is > ts − size (rules 4 and 5).
 */
export interface AlignedLayout {
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
}

/** Assigners that are aligned (set by tumbling and sliding; see {@link alignedLayout}). */
export interface HasAlignedLayout {
  readonly alignedLayout: AlignedLayout;
}

/**
 * The assigner's aligned layout, or undefined for other assigners (sessions, global, user-defined).
 *
 * @example
 * ```ts
 * alignedLayout(sliding(10_000, 2_000)) // { size: 10_000, slide: 2_000, offset: 0 }
 * alignedLayout(session(5_000)) // undefined
 * ```
 */
export function alignedLayout(assigner: WindowAssigner): AlignedLayout | undefined {
  const layout = (assigner as Partial<HasAlignedLayout>).alignedLayout;
  return layout !== undefined && typeof layout === "object" ? layout : undefined;
}
