/**
 * Bookkeeping of merging (session) windows for one key, as Flink's `MergingWindowSet`: the live windows
 * and, for each, the "state window" under which its accumulator is stored. When windows merge, the result
 * window takes over one of the merged windows' state window, and the others' accumulators are folded into
 * it, so no accumulator has to move to a new name.
 */
import { compareWindows, type TimeWindow, windowKey } from "./time-window.js";
import type { WindowAssigner, WindowMerge } from "./window-assigner.js";

/** One merge the window operator must carry out after {@link MergingWindowSet.addWindow}. */
export interface WindowSetMerge {
  /** The window the merged windows became. */
  readonly result: TimeWindow;
  /**
   * The live windows that disappeared into `result` (never the newly added window, which had no state).
   * The operator runs `trigger.onMerge(result)` reading their trigger state, then `trigger.clear` on each.
   */
  readonly mergedWindows: readonly TimeWindow[];
  /** Where the accumulator of `result` lives (one of the merged windows' state windows, kept as is). */
  readonly stateWindow: TimeWindow;
  /** State windows whose accumulators must be merged into `stateWindow` and then dropped. */
  readonly mergedStateWindows: readonly TimeWindow[];
}

/** What adding a window did. */
export interface WindowAddition {
  /** The live window the new element belongs to: the new window itself, or the window it merged into. */
  readonly window: TimeWindow;
  /** The state window of `window` (where to add the element to the accumulator). */
  readonly stateWindow: TimeWindow;
  /** Merges to carry out, in order (empty when the new window touched nothing). */
  readonly merges: readonly WindowSetMerge[];
}

/** A {@link MergingWindowSet} as plain data (for checkpoints): pairs of live window and state window. */
export interface MergingWindowSetSnapshot {
  readonly windows: readonly { readonly window: TimeWindow; readonly stateWindow: TimeWindow }[];
}

interface Entry {
  readonly window: TimeWindow;
  readonly stateWindow: TimeWindow;
}

/**
 * The live merging windows of one key and their state windows.
 *
 * @example
 * ```ts
 * const set = new MergingWindowSet(session(10));
 * set.addWindow({ start: 0, end: 10 });  // { window: [0,10), stateWindow: [0,10), merges: [] }
 * set.addWindow({ start: 20, end: 30 }); // a second session
 * const add = set.addWindow({ start: 10, end: 20 }); // bridges both
 * // add.window is [0,30); add.merges[0] says: fold the state of [20,30) into state window [0,10)
 * ```
 */
export class MergingWindowSet {
  /** Live window key → live window and its state window. */
  private readonly live = new Map<string, Entry>();
  private readonly merge: (windows: readonly TimeWindow[]) => readonly WindowMerge[];

  /**
   * @param assigner - a merging assigner (one with `mergeWindows`, such as `session(gap)`).
   * @param snapshot - state to restore, from {@link MergingWindowSet.snapshot}.
   */
  constructor(assigner: WindowAssigner, snapshot?: MergingWindowSetSnapshot) {
    const mergeWindows = assigner.mergeWindows;
    if (mergeWindows === undefined) {
      throw new TypeError(`MergingWindowSet: ${assigner.description} is not a merging window assigner (it has no mergeWindows)`);
    }
    this.merge = (windows) => mergeWindows.call(assigner, windows);
    if (snapshot !== undefined) {
      for (const { window, stateWindow } of snapshot.windows) {
        this.live.set(windowKey(window), { window: copy(window), stateWindow: copy(stateWindow) });
      }
    }
  }

  /** How many live windows there are. */
  get size(): number {
    return this.live.size;
  }

  /** The live windows, ordered by start. */
  windows(): TimeWindow[] {
    return [...this.live.values()].map((e) => e.window).sort(compareWindows);
  }

  /** The state window of a live window, or undefined if `window` is not live. */
  stateWindowOf(window: TimeWindow): TimeWindow | undefined {
    return this.live.get(windowKey(window))?.stateWindow;
  }

  /**
   * Adds the window of a new element, merging it with the live windows it overlaps or touches (and
   * whatever those then touch). Returns the window the element belongs to, its state window, and the
   * merges the operator must apply to accumulators, trigger state and timers.
   */
  addWindow(newWindow: TimeWindow): WindowAddition {
    const key = windowKey(newWindow);
    const existing = this.live.get(key);
    if (existing !== undefined) return { window: existing.window, stateWindow: existing.stateWindow, merges: [] };

    const candidates = [...this.live.values()].map((e) => e.window);
    candidates.push(newWindow);
    const merges: WindowSetMerge[] = [];
    let resultWindow: TimeWindow = newWindow;
    let newWindowMerged = false;

    for (const { result, merged } of this.merge(candidates)) {
      const mergedWindows = merged.filter((w) => {
        if (windowKey(w) !== key) return true;
        newWindowMerged = true;
        resultWindow = result;
        return false;
      });
      if (mergedWindows.length === 0) continue;
      // The result keeps the state window of the first merged live window; the others fold into it.
      const target = this.live.get(windowKey(mergedWindows[0]!))!.stateWindow;
      const mergedStateWindows: TimeWindow[] = [];
      for (const w of mergedWindows) {
        const k = windowKey(w);
        const entry = this.live.get(k);
        if (entry === undefined) continue;
        this.live.delete(k);
        if (windowKey(entry.stateWindow) !== windowKey(target)) mergedStateWindows.push(entry.stateWindow);
      }
      this.live.set(windowKey(result), { window: copy(result), stateWindow: target });
      // A new window lying inside one live window changes nothing: no merge to report.
      const unchanged = mergedWindows.length === 1 && windowKey(mergedWindows[0]!) === windowKey(result);
      if (!unchanged) merges.push({ result: copy(result), mergedWindows, stateWindow: target, mergedStateWindows });
    }

    if (!newWindowMerged) {
      this.live.set(key, { window: copy(newWindow), stateWindow: copy(newWindow) });
      return { window: copy(newWindow), stateWindow: copy(newWindow), merges };
    }
    const entry = this.live.get(windowKey(resultWindow))!;
    return { window: entry.window, stateWindow: entry.stateWindow, merges };
  }

  /** Forgets a live window (fired and purged for good, or late on arrival). Throws if it is not live. */
  retireWindow(window: TimeWindow): void {
    if (!this.live.delete(windowKey(window))) {
      throw new RangeError(`MergingWindowSet: window [${window.start}, ${window.end}) is not live`);
    }
  }

  /** The set as plain, structured-cloneable data, ordered by window start. */
  snapshot(): MergingWindowSetSnapshot {
    return {
      windows: [...this.live.values()]
        .sort((a, b) => compareWindows(a.window, b.window))
        .map((e) => ({ window: copy(e.window), stateWindow: copy(e.stateWindow) })),
    };
  }
}

function copy(w: TimeWindow): TimeWindow {
  return { start: w.start, end: w.end };
}
