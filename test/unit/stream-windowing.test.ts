/**
 * Window assigners, triggers and merging-window bookkeeping against the semantics reference
 * (../shared/reference/stream-semantics.md, rules 4–9), with hand-computed windows and fire times.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  continuousEventTimeTrigger,
  continuousProcessingTimeTrigger,
  countTrigger,
  eventTimeTrigger,
  formatDuration,
  GLOBAL_WINDOW,
  globalWindows,
  mergeTouchingWindows,
  MergingWindowSet,
  neverTrigger,
  processingTimeTrigger,
  purging,
  session,
  sliding,
  tumbling,
  windowKey,
  windowStart,
  type TimeWindow,
  type Trigger,
  type TriggerContext,
  type TriggerMergeContext,
  type TriggerResult,
  type TriggerStateValue,
} from "../../src/stream/windowing/index.js";

const w = (start: number, end: number): TimeWindow => ({ start, end });
const show = (ws: readonly TimeWindow[]): string[] => ws.map((x) => `[${x.start},${x.end})`);

/** A firing seen by the harness. */
interface Firing {
  readonly kind: "element" | "event" | "processing";
  readonly time: number;
  readonly window: string;
  readonly result: TriggerResult;
}

/**
 * A minimal window-operator stand-in for one key: per-window trigger state and timers (deduplicated per
 * window and time, as Flink's timer service), a watermark and a processing clock. Advancing a clock fires
 * due timers in time order, including timers registered while firing (as Flink's timer service loop).
 */
class TriggerHarness {
  watermark = -Infinity;
  processingTime = 0;
  readonly state = new Map<string, Map<string, TriggerStateValue>>();
  readonly eventTimers = new Map<string, { window: TimeWindow; time: number }>();
  readonly processingTimers = new Map<string, { window: TimeWindow; time: number }>();

  constructor(readonly trigger: Trigger) {}

  context(window: TimeWindow): TriggerContext {
    const wk = windowKey(window);
    const states = (): Map<string, TriggerStateValue> => {
      let m = this.state.get(wk);
      if (m === undefined) this.state.set(wk, (m = new Map()));
      return m;
    };
    const harness = this;
    return {
      get currentWatermark() {
        return harness.watermark;
      },
      get currentProcessingTime() {
        return harness.processingTime;
      },
      registerEventTimeTimer: (time) => void this.eventTimers.set(`${wk}@${time}`, { window, time }),
      deleteEventTimeTimer: (time) => void this.eventTimers.delete(`${wk}@${time}`),
      registerProcessingTimeTimer: (time) => void this.processingTimers.set(`${wk}@${time}`, { window, time }),
      deleteProcessingTimeTimer: (time) => void this.processingTimers.delete(`${wk}@${time}`),
      getState: (name) => this.state.get(wk)?.get(name),
      setState: (name, value) => void states().set(name, structuredClone(value)),
      clearState: (name) => void this.state.get(wk)?.delete(name),
    };
  }

  element(timestamp: number, window: TimeWindow): TriggerResult {
    return this.trigger.onElement(timestamp, window, this.context(window));
  }

  /** Timers of one window, sorted (for assertions). */
  timersOf(window: TimeWindow, domain: "event" | "processing" = "event"): number[] {
    const timers = domain === "event" ? this.eventTimers : this.processingTimers;
    return [...timers.values()].filter((t) => windowKey(t.window) === windowKey(window)).map((t) => t.time).sort((a, b) => a - b);
  }

  advanceWatermark(to: number): Firing[] {
    this.watermark = to;
    return this.fireDue(this.eventTimers, to, "event");
  }

  advanceProcessingTime(to: number): Firing[] {
    this.processingTime = to;
    return this.fireDue(this.processingTimers, to, "processing");
  }

  /** Windows `merged` became `result`: onMerge on result, then clear on each merged window (as Flink). */
  merge(result: TimeWindow, merged: readonly TimeWindow[]): void {
    const ctx: TriggerMergeContext = {
      ...this.context(result),
      mergedStates: (name) => merged.map((m) => this.state.get(windowKey(m))?.get(name)),
    };
    this.trigger.onMerge(result, ctx);
    for (const m of merged) this.trigger.clear(m, this.context(m));
  }

  private fireDue(timers: Map<string, { window: TimeWindow; time: number }>, to: number, kind: "event" | "processing"): Firing[] {
    const out: Firing[] = [];
    for (;;) {
      let next: [string, { window: TimeWindow; time: number }] | undefined;
      for (const entry of timers) if (entry[1].time <= to && (next === undefined || entry[1].time < next[1].time)) next = entry;
      if (next === undefined) return out;
      timers.delete(next[0]);
      const { window, time } = next[1];
      const ctx = this.context(window);
      const result = kind === "event" ? this.trigger.onEventTime(time, window, ctx) : this.trigger.onProcessingTime(time, window, ctx);
      if (result !== "continue") out.push({ kind, time, window: windowKey(window), result });
    }
  }
}

const fireTimes = (firings: readonly Firing[]): number[] => firings.map((f) => f.time);

describe("tumbling windows", () => {
  it("rule 4: start = ts − ((ts − offset) mod size), end − 1 inside, end in the next window", () => {
    const t = tumbling(10);
    expect(show(t.assignWindows(0))).toEqual(["[0,10)"]);
    expect(show(t.assignWindows(9))).toEqual(["[0,10)"]); // ts = end − 1 is inside
    expect(show(t.assignWindows(10))).toEqual(["[10,20)"]); // ts = end belongs to the next window
    expect(show(t.assignWindows(12_345))).toEqual(["[12340,12350)"]);
  });

  it("rule 4: negative timestamps use a non-negative modulo (ts −1, size 10 → [−10, 0))", () => {
    const t = tumbling(10);
    expect(show(t.assignWindows(-1))).toEqual(["[-10,0)"]);
    expect(show(t.assignWindows(-10))).toEqual(["[-10,0)"]);
    expect(show(t.assignWindows(-11))).toEqual(["[-20,-10)"]);
    expect(windowStart(-1, 0, 10)).toBe(-10);
    expect(windowStart(-7, 3, 10)).toBe(-7); // (−7 − 3) mod 10 = 0
  });

  it("rule 4: an offset shifts the alignment (size 10, offset 3: ts 2 → [−7, 3), ts 3 → [3, 13))", () => {
    const t = tumbling(10, { offset: 3 });
    expect(show(t.assignWindows(2))).toEqual(["[-7,3)"]);
    expect(show(t.assignWindows(3))).toEqual(["[3,13)"]);
    expect(show(t.assignWindows(12))).toEqual(["[3,13)"]);
    expect(show(t.assignWindows(13))).toEqual(["[13,23)"]);
  });

  it("rule 4 (property): the window contains ts, is aligned to the offset and has the size", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 1, max: 100_000 }), fc.nat(), (ts, size, o) => {
        const offset = o % size;
        const [win, ...rest] = tumbling(size, { offset }).assignWindows(ts);
        expect(rest).toEqual([]);
        expect(win!.start <= ts && ts < win!.end).toBe(true);
        expect(win!.end - win!.start).toBe(size);
        expect((((win!.start - offset) % size) + size) % size).toBe(0);
      }),
    );
  });

  it("describes itself and defaults to the event-time trigger (processing time: processing-time trigger)", () => {
    expect(tumbling(10_000).description).toBe("tumbling(10s)");
    expect(tumbling(10_000).domain).toBe("event");
    expect(tumbling(10_000).defaultTrigger()).toBe(eventTimeTrigger());
    const p = tumbling(90_000, { offset: 1_500, time: "processing" });
    expect(p.description).toBe("tumbling(1m30s, offset 1s500ms, processing time)");
    expect(p.domain).toBe("processing");
    expect(p.defaultTrigger()).toBe(processingTimeTrigger());
    expect(p.mergeWindows).toBeUndefined();
  });
});

describe("sliding windows", () => {
  it("rule 5: size 10 / slide 5 puts each element in 2 windows, latest start first", () => {
    const s = sliding(10, 5);
    expect(show(s.assignWindows(12))).toEqual(["[10,20)", "[5,15)"]);
    expect(show(s.assignWindows(10))).toEqual(["[10,20)", "[5,15)"]);
    expect(show(s.assignWindows(9))).toEqual(["[5,15)", "[0,10)"]); // 9 = end − 1 of [0,10): inside
    expect(show(s.assignWindows(-1))).toEqual(["[-5,5)", "[-10,0)"]);
  });

  it("rule 5: s steps down while s > ts − size (size 10 / slide 3, ts 10 → starts 9, 6, 3)", () => {
    expect(show(sliding(10, 3).assignWindows(10))).toEqual(["[9,19)", "[6,16)", "[3,13)"]);
    expect(show(sliding(15, 5).assignWindows(15))).toEqual(["[15,30)", "[10,25)", "[5,20)"]);
  });

  it("rule 5: 0 ≤ offset < slide shifts the starts (size 10 / slide 5 / offset 2)", () => {
    const s = sliding(10, 5, { offset: 2 });
    expect(show(s.assignWindows(12))).toEqual(["[12,22)", "[7,17)"]);
    expect(show(s.assignWindows(6))).toEqual(["[2,12)", "[-3,7)"]);
  });

  it("rule 5: slide > size leaves gaps whose elements belong to no window (size 5 / slide 10)", () => {
    const s = sliding(5, 10);
    expect(show(s.assignWindows(0))).toEqual(["[0,5)"]);
    expect(show(s.assignWindows(4))).toEqual(["[0,5)"]);
    expect(s.assignWindows(5)).toEqual([]);
    expect(s.assignWindows(9)).toEqual([]);
    expect(show(s.assignWindows(10))).toEqual(["[10,15)"]);
    expect(s.assignWindows(-3)).toEqual([]); // [−10, −5) ends before −3
  });

  it("rule 5 (property): exactly the aligned windows containing ts, found by brute force", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -100_000, max: 100_000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        fc.nat(),
        (ts, size, slide, o) => {
          const offset = o % slide;
          const expected: string[] = [];
          for (let s = ts + slide; s > ts - size - slide; s--) {
            if ((((s - offset) % slide) + slide) % slide === 0 && s <= ts && ts < s + size) expected.push(`[${s},${s + size})`);
          }
          expect(show(sliding(size, slide, { offset }).assignWindows(ts))).toEqual(expected);
        },
      ),
    );
  });

  it("describes itself", () => {
    expect(sliding(10_000, 2_000).description).toBe("sliding(10s, 2s)");
    expect(sliding(10_000, 2_000, { time: "processing" }).defaultTrigger()).toBe(processingTimeTrigger());
  });
});

describe("session windows", () => {
  it("rule 6: each element opens [ts, ts + gap)", () => {
    expect(show(session(10).assignWindows(5))).toEqual(["[5,15)"]);
    expect(show(session(10).assignWindows(-5))).toEqual(["[-5,5)"]);
    expect(session(10_000).description).toBe("session(10s)");
    expect(session(10_000).defaultTrigger()).toBe(eventTimeTrigger());
    expect(session(10_000, { time: "processing" }).defaultTrigger()).toBe(processingTimeTrigger());
  });

  it("rule 6: windows merge when they overlap or touch, transitively; not when apart", () => {
    const s = session(10);
    // t and t + g touch: [0,10) and [10,20) merge
    expect(s.mergeWindows!([w(10, 20), w(0, 10)])).toEqual([{ result: w(0, 20), merged: [w(0, 10), w(10, 20)] }]);
    // t and t + g + 1 do not: [0,10) and [11,21)
    expect(s.mergeWindows!([w(0, 10), w(11, 21)])).toEqual([]);
    // transitive chain, and a separate pair
    expect(mergeTouchingWindows([w(28, 38), w(0, 10), w(8, 18), w(18, 28), w(50, 60), w(55, 65)])).toEqual([
      { result: w(0, 38), merged: [w(0, 10), w(8, 18), w(18, 28), w(28, 38)] },
      { result: w(50, 65), merged: [w(50, 60), w(55, 65)] },
    ]);
  });

  it("rule 6 (property): merge groups equal the connected components of the touch relation", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -200, max: 200 }), { maxLength: 25 }), fc.integer({ min: 1, max: 30 }), (starts, gap) => {
        const windows = [...new Set(starts)].map((s) => w(s, s + gap));
        // brute force: union-find over pairs that touch
        const parent = windows.map((_, i) => i);
        const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
        for (let i = 0; i < windows.length; i++)
          for (let j = 0; j < i; j++) {
            const a = windows[i]!;
            const b = windows[j]!;
            if (a.start <= b.end && a.end >= b.start) parent[find(i)] = find(j);
          }
        const groups = new Map<number, TimeWindow[]>();
        windows.forEach((x, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), x]));
        const expected = [...groups.values()]
          .filter((g) => g.length > 1)
          .map((g) => `${Math.min(...g.map((x) => x.start))}..${Math.max(...g.map((x) => x.end))}:${g.length}`)
          .sort();
        const actual = mergeTouchingWindows(windows)
          .map((m) => `${m.result.start}..${m.result.end}:${m.merged.length}`)
          .sort();
        expect(actual).toEqual(expected);
      }),
    );
  });
});

describe("MergingWindowSet", () => {
  /** Adds elements through the set, keeping count accumulators per state window as an operator would. */
  function run(set: MergingWindowSet, accs: Map<string, number>, ts: number, gap = 10): TimeWindow {
    const add = set.addWindow(w(ts, ts + gap));
    for (const m of add.merges) {
      let total = accs.get(windowKey(m.stateWindow)) ?? 0;
      for (const sw of m.mergedStateWindows) {
        total += accs.get(windowKey(sw)) ?? 0;
        accs.delete(windowKey(sw));
      }
      accs.set(windowKey(m.stateWindow), total);
    }
    accs.set(windowKey(add.stateWindow), (accs.get(windowKey(add.stateWindow)) ?? 0) + 1);
    return add.window;
  }

  it("rule 6: elements at t and t + gap share one session; t and t + gap + 1 do not", () => {
    const a = new MergingWindowSet(session(10));
    expect(a.addWindow(w(0, 10))).toEqual({ window: w(0, 10), stateWindow: w(0, 10), merges: [] });
    const touch = a.addWindow(w(10, 20));
    expect(touch).toEqual({
      window: w(0, 20),
      stateWindow: w(0, 10),
      merges: [{ result: w(0, 20), mergedWindows: [w(0, 10)], stateWindow: w(0, 10), mergedStateWindows: [] }],
    });
    expect(a.windows()).toEqual([w(0, 20)]);

    const b = new MergingWindowSet(session(10));
    b.addWindow(w(0, 10));
    expect(b.addWindow(w(11, 21))).toEqual({ window: w(11, 21), stateWindow: w(11, 21), merges: [] });
    expect(b.windows()).toEqual([w(0, 10), w(11, 21)]);
  });

  it("rule 6: a late element bridges two sessions and their accumulators merge", () => {
    const set = new MergingWindowSet(session(10));
    const accs = new Map<string, number>();
    run(set, accs, 0);
    run(set, accs, 3); // [3,13) joins [0,10) → [0,13)
    run(set, accs, 20);
    run(set, accs, 22); // → [20,32)
    expect(set.windows()).toEqual([w(0, 13), w(20, 32)]);
    expect(Object.fromEntries(accs)).toEqual({ "0:10": 2, "20:30": 2 }); // state windows never moved

    const bridge = set.addWindow(w(12, 22)); // the late element at 12 touches both
    expect(bridge).toEqual({
      window: w(0, 32),
      stateWindow: w(0, 10),
      merges: [{ result: w(0, 32), mergedWindows: [w(0, 13), w(20, 32)], stateWindow: w(0, 10), mergedStateWindows: [w(20, 30)] }],
    });
    expect(set.windows()).toEqual([w(0, 32)]);
    expect(set.stateWindowOf(w(0, 32))).toEqual(w(0, 10));

    // the same through the operator-like driver: the 5 elements end in one accumulator
    const set2 = new MergingWindowSet(session(10));
    const accs2 = new Map<string, number>();
    for (const ts of [0, 3, 20, 22, 12]) run(set2, accs2, ts);
    expect(Object.fromEntries(accs2)).toEqual({ "0:10": 5 });
  });

  it("a new window inside a live one reports no merge; an existing window is returned as is", () => {
    const set = new MergingWindowSet(session(10));
    set.addWindow(w(0, 10));
    set.addWindow(w(10, 20)); // live [0,20), state [0,10)
    expect(set.addWindow(w(5, 15))).toEqual({ window: w(0, 20), stateWindow: w(0, 10), merges: [] });
    expect(set.addWindow(w(0, 20))).toEqual({ window: w(0, 20), stateWindow: w(0, 10), merges: [] });
    expect(set.size).toBe(1);
  });

  it("snapshots as plain data and restores to the same behaviour; retires windows", () => {
    const set = new MergingWindowSet(session(10));
    for (const ts of [0, 5, 30]) set.addWindow(w(ts, ts + 10));
    const snap = structuredClone(set.snapshot());
    expect(snap).toEqual({
      windows: [
        { window: w(0, 15), stateWindow: w(0, 10) },
        { window: w(30, 40), stateWindow: w(30, 40) },
      ],
    });
    const restored = new MergingWindowSet(session(10), snap);
    const next = w(15, 25);
    expect(restored.addWindow(next)).toEqual(set.addWindow(next));
    expect(restored.snapshot()).toEqual(set.snapshot());
    restored.retireWindow(w(30, 40));
    expect(restored.windows()).toEqual([w(0, 25)]);
    expect(() => restored.retireWindow(w(30, 40))).toThrow(/\[30, 40\) is not live/);
  });

  it("refuses a non-merging assigner", () => {
    expect(() => new MergingWindowSet(tumbling(10))).toThrow(/tumbling\(10ms\) is not a merging window assigner/);
  });

  it("rule 6 (property): live windows equal the merged cover of all added windows, and no state is lost", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 40 }), fc.integer({ min: 1, max: 20 }), (tss, gap) => {
        const set = new MergingWindowSet(session(gap));
        const accs = new Map<string, number>();
        for (const ts of tss) run(set, accs, ts, gap);
        // expected sessions: sort, sweep
        const sorted = [...tss].sort((a, b) => a - b);
        const expected: TimeWindow[] = [];
        for (const ts of sorted) {
          const last = expected[expected.length - 1];
          if (last !== undefined && ts <= last.end) expected[expected.length - 1] = w(last.start, Math.max(last.end, ts + gap));
          else expected.push(w(ts, ts + gap));
        }
        expect(set.windows()).toEqual(expected);
        // one accumulator per live window, holding its elements
        for (const live of expected) {
          const n = tss.filter((t) => t >= live.start && t < live.end).length;
          expect(accs.get(windowKey(set.stateWindowOf(live)!))).toBe(n);
        }
        expect(accs.size).toBe(expected.length);
      }),
    );
  });
});

describe("global windows", () => {
  it("rule 7: one window for everything, never fired without an explicit trigger", () => {
    const g = globalWindows();
    expect(g.assignWindows(-5)).toEqual([GLOBAL_WINDOW]);
    expect(g.assignWindows(1e12)).toEqual([GLOBAL_WINDOW]);
    expect(g.defaultTrigger()).toBe(neverTrigger());
    const h = new TriggerHarness(g.defaultTrigger());
    for (let ts = 0; ts < 100; ts++) expect(h.element(ts, GLOBAL_WINDOW)).toBe("continue");
    expect(h.advanceWatermark(Infinity)).toEqual([]);
    expect(h.advanceProcessingTime(Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(h.eventTimers.size + h.processingTimers.size + h.state.size).toBe(0);
  });

  it("rule 7: with an explicit count trigger it fires", () => {
    const h = new TriggerHarness(countTrigger(2));
    expect([1, 2, 3, 4].map((ts) => h.element(ts, GLOBAL_WINDOW))).toEqual(["continue", "fire", "continue", "fire"]);
  });
});

describe("event-time trigger", () => {
  it("rule 8: fires when the watermark reaches maxTimestamp = end − 1, not before", () => {
    const h = new TriggerHarness(eventTimeTrigger());
    const win = w(0, 10);
    expect(h.element(3, win)).toBe("continue");
    expect(h.timersOf(win)).toEqual([9]);
    expect(h.advanceWatermark(8)).toEqual([]);
    expect(h.advanceWatermark(9)).toEqual([{ kind: "event", time: 9, window: "0:10", result: "fire" }]); // fire, not purge
  });

  it("rule 8: an element arriving when the watermark already passed maxTimestamp fires at once", () => {
    const h = new TriggerHarness(eventTimeTrigger());
    h.watermark = 9;
    expect(h.element(5, w(0, 10))).toBe("fire");
    expect(h.eventTimers.size).toBe(0);
    h.watermark = 8;
    expect(h.element(5, w(0, 10))).toBe("continue");
  });

  it("rule 8: merging re-registers the timer at the merged window's end − 1; clear deletes it", () => {
    const h = new TriggerHarness(eventTimeTrigger());
    h.element(0, w(0, 10));
    h.element(10, w(10, 20));
    h.merge(w(0, 20), [w(0, 10), w(10, 20)]);
    expect(h.timersOf(w(0, 20))).toEqual([19]);
    expect(h.eventTimers.size).toBe(1); // the merged windows' timers were cleared
    expect(fireTimes(h.advanceWatermark(18))).toEqual([]);
    expect(fireTimes(h.advanceWatermark(19))).toEqual([19]);
    h.element(1, w(30, 40));
    h.trigger.clear(w(30, 40), h.context(w(30, 40)));
    expect(h.eventTimers.size).toBe(0);
  });

  it("ignores processing time", () => {
    const h = new TriggerHarness(eventTimeTrigger());
    h.element(3, w(0, 10));
    expect(h.advanceProcessingTime(1e12)).toEqual([]);
  });
});

describe("processing-time trigger", () => {
  it("fires when the processing clock reaches end − 1", () => {
    const h = new TriggerHarness(processingTimeTrigger());
    h.processingTime = 1_003;
    const win = w(1_000, 2_000);
    expect(h.element(1_003, win)).toBe("continue");
    expect(h.timersOf(win, "processing")).toEqual([1_999]);
    expect(h.advanceWatermark(Infinity)).toEqual([]);
    expect(fireTimes(h.advanceProcessingTime(1_998))).toEqual([]);
    expect(h.advanceProcessingTime(1_999)).toEqual([{ kind: "processing", time: 1_999, window: "1000:2000", result: "fire" }]);
  });
});

describe("continuous event-time trigger", () => {
  it("rule 9: fires at aligned boundaries t − (t mod i) + i, then every i, and at end − 1", () => {
    const h = new TriggerHarness(continuousEventTimeTrigger(4));
    const win = w(0, 20);
    expect(h.element(1, win)).toBe("continue");
    expect(h.timersOf(win)).toEqual([4, 19]);
    expect(h.element(6, win)).toBe("continue"); // the next fire time is already set
    expect(h.timersOf(win)).toEqual([4, 19]);
    expect(fireTimes(h.advanceWatermark(3))).toEqual([]);
    expect(fireTimes(h.advanceWatermark(4))).toEqual([4]);
    expect(fireTimes(h.advanceWatermark(10))).toEqual([8]);
    expect(h.advanceWatermark(19)).toEqual([12, 16, 19].map((time) => ({ kind: "event", time, window: "0:20", result: "fire" })));
    expect(h.eventTimers.size).toBe(0);
  });

  it("rule 9: an element on a boundary schedules the next one; the last early fire is capped at end − 1", () => {
    const h = new TriggerHarness(continuousEventTimeTrigger(4));
    const win = w(0, 10);
    h.element(8, win); // aligned 8 → next 12, capped at 9
    expect(h.timersOf(win)).toEqual([9]);
    expect(fireTimes(h.advanceWatermark(100))).toEqual([9]);
  });

  it("rule 9: negative timestamps align downwards (ts −13, interval 10 → first fire at −10)", () => {
    const h = new TriggerHarness(continuousEventTimeTrigger(10));
    const win = w(-40, 0);
    h.element(-13, win);
    expect(h.timersOf(win)).toEqual([-10, -1]);
    expect(fireTimes(h.advanceWatermark(-1))).toEqual([-10, -1]);
  });

  it("rule 9: fires at once for an element in a window the watermark passed; merges keep the earliest fire time", () => {
    const h = new TriggerHarness(continuousEventTimeTrigger(5));
    h.watermark = 25;
    expect(h.element(3, w(0, 20))).toBe("fire");

    const m = new TriggerHarness(continuousEventTimeTrigger(5));
    m.element(1, w(1, 11)); // next 5
    m.element(7, w(7, 17)); // next 10
    m.merge(w(1, 17), [w(1, 11), w(7, 17)]);
    expect(m.timersOf(w(1, 17))).toEqual([5, 16]);
    expect(m.eventTimers.size).toBe(2); // merged windows' timers cleared
    expect(fireTimes(m.advanceWatermark(16))).toEqual([5, 10, 15, 16]);
  });

  it("describes itself and validates the interval", () => {
    expect(continuousEventTimeTrigger(10_000).description).toBe("continuousEventTime(10s)");
    expect(() => continuousEventTimeTrigger(0)).toThrow("continuousEventTimeTrigger: interval must be a positive integer number of milliseconds, got 0");
  });
});

describe("continuous processing-time trigger", () => {
  it("rule 9: fires at aligned processing-time boundaries from the first element, capped at end − 1", () => {
    const h = new TriggerHarness(continuousProcessingTimeTrigger(10));
    const win = w(1_000, 1_035);
    h.processingTime = 1_003;
    expect(h.element(0, win)).toBe("continue"); // the element's timestamp does not matter
    expect(h.timersOf(win, "processing")).toEqual([1_010]);
    expect(fireTimes(h.advanceProcessingTime(1_009))).toEqual([]);
    expect(fireTimes(h.advanceProcessingTime(1_010))).toEqual([1_010]);
    expect(fireTimes(h.advanceProcessingTime(1_025))).toEqual([1_020]);
    expect(fireTimes(h.advanceProcessingTime(1_100))).toEqual([1_030, 1_034]);
    expect(h.processingTimers.size).toBe(0);
    expect(h.advanceWatermark(Infinity)).toEqual([]);
  });

  it("keeps firing in a global window; merges keep the earliest; clear deletes the timer", () => {
    const h = new TriggerHarness(continuousProcessingTimeTrigger(100));
    h.processingTime = 250;
    h.element(0, GLOBAL_WINDOW);
    expect(fireTimes(h.advanceProcessingTime(520))).toEqual([300, 400, 500]);
    h.trigger.clear(GLOBAL_WINDOW, h.context(GLOBAL_WINDOW));
    expect(h.processingTimers.size).toBe(0);

    const m = new TriggerHarness(continuousProcessingTimeTrigger(100));
    m.processingTime = 250;
    m.element(0, w(0, 10_000));
    m.processingTime = 420;
    m.element(0, w(5, 10_005));
    m.merge(w(0, 10_005), [w(0, 10_000), w(5, 10_005)]);
    expect(m.timersOf(w(0, 10_005), "processing")).toEqual([300]);
    expect(m.processingTimers.size).toBe(1);
  });
});

describe("count trigger", () => {
  it("fires every n elements, without purging", () => {
    const h = new TriggerHarness(countTrigger(3));
    const win = w(0, 100);
    expect([1, 2, 3, 4, 5, 6, 7].map((ts) => h.element(ts, win))).toEqual([
      "continue",
      "continue",
      "fire",
      "continue",
      "continue",
      "fire",
      "continue",
    ]);
    expect(h.advanceWatermark(Infinity)).toEqual([]);
  });

  it("merged counts add up (2 + 2 = 4 ≥ 3: the next element fires); clear forgets the count", () => {
    const h = new TriggerHarness(countTrigger(3));
    for (const ts of [0, 1]) h.element(ts, w(ts, ts + 10));
    for (const ts of [0, 1]) h.element(ts, w(ts, ts + 10));
    h.merge(w(0, 11), [w(0, 10), w(1, 11)]);
    expect(h.state.get("0:10")?.size ?? 0).toBe(0);
    expect(h.element(2, w(0, 11))).toBe("fire");
    expect(h.element(3, w(0, 11))).toBe("continue"); // count 1
    expect(h.element(4, w(0, 11))).toBe("continue"); // count 2
    h.trigger.clear(w(0, 11), h.context(w(0, 11)));
    expect(h.element(5, w(0, 11))).toBe("continue"); // count 1 again (3 without the clear)
  });

  it("validates n", () => {
    expect(countTrigger(100).description).toBe("count(100)");
    expect(() => countTrigger(0)).toThrow("countTrigger: n must be a positive integer, got 0");
    expect(() => countTrigger(2.5)).toThrow("got 2.5");
  });
});

describe("purging trigger", () => {
  it("turns fire into fireAndPurge and leaves continue alone", () => {
    const c = new TriggerHarness(purging(countTrigger(2)));
    expect([1, 2, 3, 4].map((ts) => c.element(ts, w(0, 10)))).toEqual(["continue", "fireAndPurge", "continue", "fireAndPurge"]);

    const e = new TriggerHarness(purging(eventTimeTrigger()));
    expect(e.element(3, w(0, 10))).toBe("continue");
    expect(e.advanceWatermark(9)).toEqual([{ kind: "event", time: 9, window: "0:10", result: "fireAndPurge" }]);
    e.watermark = 50;
    expect(e.element(3, w(0, 10))).toBe("fireAndPurge");
  });

  it("delegates merging and clearing, and describes itself", () => {
    const t = purging(continuousEventTimeTrigger(5));
    expect(t.description).toBe("purging(continuousEventTime(5ms))");
    expect(t.canMerge()).toBe(true);
    const h = new TriggerHarness(t);
    h.element(1, w(1, 11));
    h.element(7, w(7, 17));
    h.merge(w(1, 17), [w(1, 11), w(7, 17)]);
    expect(h.timersOf(w(1, 17))).toEqual([5, 16]);
    expect(h.advanceWatermark(5)).toEqual([{ kind: "event", time: 5, window: "1:17", result: "fireAndPurge" }]);
    h.trigger.clear(w(1, 17), h.context(w(1, 17)));
    expect(h.eventTimers.size).toBe(0);
    expect(() => purging({} as Trigger)).toThrow(/purging: trigger must be a Trigger/);
  });
});

describe("validation at build time", () => {
  it.each([
    [() => tumbling(0), "tumbling: size must be a positive integer number of milliseconds, got 0"],
    [() => tumbling(-5), "tumbling: size must be a positive integer number of milliseconds, got -5"],
    [() => tumbling(1.5), "got 1.5"],
    [() => tumbling(Number.NaN), "got NaN"],
    [() => tumbling("10s" as unknown as number), 'got "10s"'],
    [() => tumbling(10, { offset: 10 }), "tumbling: offset must be an integer with 0 ≤ offset < size (10), got 10"],
    [() => tumbling(10, { offset: -2 }), "(a negative offset o is the same as size + o)"],
    [() => tumbling(10, { time: "wall" as "event" }), 'tumbling: time must be "event" or "processing", got "wall"'],
    [() => tumbling(10, { ofset: 2 } as never), 'tumbling: unknown option "ofset" (known: offset, time)'],
    [() => sliding(10, 0), "sliding: slide must be a positive integer number of milliseconds, got 0"],
    [() => sliding(0, 5), "sliding: size must be a positive integer"],
    [() => sliding(10, 5, { offset: 5 }), "sliding: offset must be an integer with 0 ≤ offset < slide (5), got 5"],
    [() => session(0), "session: gap must be a positive integer number of milliseconds, got 0"],
    [() => session(10, { offset: 1 } as never), 'session: unknown option "offset"'],
    [() => continuousProcessingTimeTrigger(1.5), "continuousProcessingTimeTrigger: interval must be a positive integer"],
  ])("%#: throws a message naming the option and value", (build, message) => {
    expect(build).toThrow(message);
  });

  it("an element without an integer timestamp fails clearly", () => {
    expect(() => tumbling(10).assignWindows(Number.NaN)).toThrow(
      "tumbling(10ms): element timestamp must be an integer number of milliseconds, got NaN",
    );
    expect(() => sliding(10, 5).assignWindows(1.5)).toThrow("got 1.5");
    expect(() => session(10).assignWindows(Infinity)).toThrow("got Infinity");
  });

  it("formats durations", () => {
    expect([0, 1, 999, 1_000, 60_000, 90_500, 3_600_000, 86_400_000 + 1].map(formatDuration)).toEqual([
      "0ms",
      "1ms",
      "999ms",
      "1s",
      "1m",
      "1m30s500ms",
      "1h",
      "1d1ms",
    ]);
  });
});
