/**
 * The packed layout of keyed snapshot entries (src/stream/state/packed-keys.ts): lone entries (the only
 * kind earlier versions wrote, still read) and runs of entries sharing all but their id and a few values
 * (what a window checkpoint of many keys in the same window becomes: 16 bytes per key). Hand-built arrays
 * pin the layout; folds (applyKeyedDelta) keep runs, old-format bases fold with new deltas; damaged runs
 * are refused with a clear message; a window operator's snapshot of 1,000 keys is one run.
 */
import { describe, expect, it } from "vitest";
import { collect, from } from "../../src/stream/index.js";
import type { DataStream } from "../../src/stream/index.js";
import { fromArray } from "../../src/stream/sources/index.js";
import { tumbling } from "../../src/stream/windowing/index.js";
import { count } from "../../src/stream/aggregates/index.js";
import type { Output } from "../../src/stream/runtime/operator.js";
import { WindowOperator } from "../../src/stream/runtime/operators/window-operator.js";
import { PackedKeysReader, PackedKeysWriter, unpackKeys } from "../../src/stream/state/packed-keys.js";
import { applyKeyedDelta, fullIsSmaller, unpacked, type KeyedDeltaSnapshot, type KeyedFullSnapshot } from "../../src/stream/state/keyed-snapshot.js";
import { decodeSnapshot, encodeSnapshot } from "../../src/stream/checkpoint/snapshot-codec.js";

/** Writes `[id, values]` into a run (values[0] the id when `idFirst`), `varying` as in runEntry. */
function run(w: PackedKeysWriter, id: number, values: number[], mask: number, varying: number, idFirst: boolean): void {
  values.forEach((v, i) => (w.values[i] = v));
  w.runEntry(id, values.length, mask, varying, idFirst);
}

function lone(w: PackedKeysWriter, id: number, values: number[], mask = 0): void {
  const at = w.entry(id, values.length, mask);
  values.forEach((v, i) => w.set(at + i, v));
}

describe("packed keys: runs", () => {
  it("entries sharing all but their id and varying values form one run: hand-computed layout", () => {
    const w = new PackedKeysWriter();
    w.reset();
    // [key, start, end, acc, timer]: the key is the id, acc (value 3) varies; value 4 undefined (mask bit 4).
    run(w, 7, [7, 0, 100, 3, 0], 16, 8, true);
    run(w, 9, [9, 0, 100, 5, 0], 16, 8, true);
    run(w, 4, [4, 0, 100, 1, 0], 16, 8, true);
    const packed = w.finish()!;
    expect([...packed]).toEqual([3, -(1 + 5 + 64 * 16), 8, 1, 0, 100, 0, 7, 3, 9, 5, 4, 1]);
    expect(unpackKeys(packed)).toEqual({
      ids: [7, 9, 4],
      entries: [
        [7, 0, 100, 3, undefined],
        [9, 0, 100, 5, undefined],
        [4, 0, 100, 1, undefined],
      ],
    });
  });

  it("a different shared value, length, mask or id-first starts a new run; lone entries break runs; -0 and NaN stay exact", () => {
    const w = new PackedKeysWriter();
    w.reset();
    run(w, 1, [1, 0, 10, 1], 0, 8, true);
    run(w, 2, [2, 0, 20, 2], 0, 8, true); // other end
    run(w, 3, [3, 0, 20, 3], 0, 8, true);
    lone(w, 4, [4, 4], 0);
    run(w, 5, [5, 0, 20, 5], 0, 8, true); // after a lone entry: a new run
    run(w, 6, [6, -0, 20, 6], 0, 8, true); // -0 is not 0
    run(w, 0, [-0, 1, 1, 1], 0, 8, true); // value 0 is not the id (-0 vs 0): stored, not id-first
    run(w, 8, [8, NaN, 1, 1], 0, 8, true);
    run(w, 9, [9, 1, 1, 1, 1], 0, 8, true); // longer
    const { ids, entries } = unpackKeys(w.finish()!);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 0, 8, 9]);
    expect(entries).toEqual([[1, 0, 10, 1], [2, 0, 20, 2], [3, 0, 20, 3], [4, 4], [5, 0, 20, 5], [6, -0, 20, 6], [-0, 1, 1, 1], [8, NaN, 1, 1], [9, 1, 1, 1, 1]]);
    expect(Object.is(entries[5]![1], -0)).toBe(true);
    expect(Object.is(entries[4]![1], 0)).toBe(true);
    expect(Object.is(entries[6]![0], -0)).toBe(true);
  });

  it("arrays of the earlier layout (lone entries only) read as before", () => {
    // id, header (length + 64 × mask), values: [5: 1, undefined, 3], [6: 2].
    const old = new Float64Array([5, 3 + 64 * 2, 1, 0, 3, 6, 1, 2]);
    expect(unpackKeys(old)).toEqual({ ids: [5, 6], entries: [[1, undefined, 3], [2]] });
  });

  it("a damaged run is refused with a clear message", () => {
    const w = new PackedKeysWriter();
    w.reset();
    run(w, 1, [1, 0, 10, 1], 0, 8, true);
    run(w, 2, [2, 0, 10, 2], 0, 8, true);
    const good = w.finish()!;
    const damaged = [
      good.slice(0, good.length - 1), // truncated
      Float64Array.from(good, (v, i) => (i === 0 ? 2.5 : v)), // a fractional count
      Float64Array.from(good, (v, i) => (i === 2 ? 2 ** 20 : v)), // varying beyond the length
      Float64Array.from(good, (v, i) => (i === 3 ? 7 : v)), // idFirst neither 0 nor 1
      Float64Array.from(good, (v, i) => (i === 1 ? -1.5 : v)), // a fractional header
    ];
    for (const bad of damaged) expect(() => unpackKeys(bad)).toThrow("a checkpoint's packed keyed state is damaged");
  });

  it("the reader reports each entry's run template; copyTo rebuilds the same array", () => {
    const w = new PackedKeysWriter();
    w.reset();
    lone(w, 3, [1, 2], 2);
    for (let k = 10; k < 15; k++) run(w, k, [k, 100, k * 2], 0, 4, true);
    const packed = w.finish()!;
    const r = new PackedKeysReader(packed);
    const copy = new PackedKeysWriter();
    copy.reset();
    const seen: [number, boolean][] = [];
    while (r.next()) {
      seen.push([r.id, r.run]);
      r.copyTo(copy);
    }
    expect(seen).toEqual([[3, false], [10, true], [11, true], [12, true], [13, true], [14, true]]);
    expect([...copy.finish()!]).toEqual([...packed]);
  });
});

describe("packed keys: folds", () => {
  const runOf = (keys: [number, number][]): Float64Array => {
    const w = new PackedKeysWriter();
    w.reset();
    for (const [k, acc] of keys) run(w, k, [k, 0, 100, acc], 0, 8, true);
    return w.finish()!;
  };
  const base: KeyedFullSnapshot = { valve: 1, extra: { common: null, ids: [], entries: [], packed: runOf([[1, 10], [2, 20], [3, 30], [4, 40]]) } };

  it("a delta replaces keys in place, deletes and appends; the result is still one run (hand-computed)", () => {
    const delta: KeyedDeltaSnapshot = { delta: true, valve: 2, common: null, ids: ["s"], entries: [["S"]], deletes: [3], packed: runOf([[2, 21], [5, 50]]) };
    const folded = applyKeyedDelta(base, delta);
    expect(folded.valve).toBe(2);
    expect(folded.extra.ids).toEqual(["s"]);
    expect(unpacked(folded.extra.packed)).toEqual({ ids: [1, 2, 4, 5], entries: [[1, 0, 100, 10], [2, 0, 100, 21], [4, 0, 100, 40], [5, 0, 100, 50]] });
    // One run: count, header, varying, idFirst, 2 shared values, then 4 × (id, acc).
    expect(folded.extra.packed!.length).toBe(4 + 2 + 4 * 2);
  });

  it("a base of the earlier layout folds with a delta of runs", () => {
    const old: KeyedFullSnapshot = { valve: 1, extra: { common: null, ids: [], entries: [], packed: new Float64Array([1, 4, 1, 0, 100, 10, 2, 4, 2, 0, 100, 20]) } };
    const delta: KeyedDeltaSnapshot = { delta: true, valve: 2, common: null, ids: [], entries: [], deletes: [], packed: runOf([[2, 22], [3, 33]]) };
    const folded = applyKeyedDelta(old, delta);
    expect(unpacked(folded.extra.packed)).toEqual({ ids: [1, 2, 3], entries: [[1, 0, 100, 10], [2, 0, 100, 22], [3, 0, 100, 33]] });
  });

  it("a damaged run in the base is refused", () => {
    const bad: KeyedFullSnapshot = { valve: 1, extra: { common: null, ids: [], entries: [], packed: base.extra.packed!.slice(0, 7) } };
    const delta: KeyedDeltaSnapshot = { delta: true, valve: 2, common: null, ids: [], entries: [], deletes: [], packed: runOf([[2, 22]]) };
    expect(() => applyKeyedDelta(bad, delta)).toThrow("a checkpoint's packed keyed state is damaged");
  });
});

describe("window operator snapshots", () => {
  function windowOperator(size: number): () => WindowOperator {
    const node = from(fromArray<{ k: number; ts: number }>([]))
      .withTimestamps((r) => r.ts)
      .keyBy((r) => r.k)
      .window(tumbling(size))
      .aggregate(count())
      .to(collect())
      .plan().sinks[0]!.input;
    if (node.kind !== "window") throw new Error(`expected a window node, got ${node.kind}`);
    const discard: Output = { collect: () => {}, side: () => {}, watermark: () => {}, idle: () => {} };
    return () => new WindowOperator("w", discard, 1, { ...node, now: () => 0 });
  }

  it("when most changed keys were deleted (windows fired) a full snapshot is the smaller one; afterwards deltas hold only later changes", () => {
    const op = windowOperator(100)();
    for (let k = 0; k < 500; k++) op.processElement({ k, ts: 10 }, 10, 0);
    op.snapshotState();
    op.trackChanges();
    for (let k = 0; k < 50; k++) op.processElement({ k, ts: 20 }, 20, 0);
    expect(op.changeCount()).toEqual({ changed: 50, keys: 500 });
    expect(fullIsSmaller([op])).toBe(false);
    // The window fires for every key (all 500 deleted), 20 keys start the next window.
    op.processWatermark(150, 0);
    for (let k = 0; k < 20; k++) op.processElement({ k, ts: 160 }, 160, 0);
    expect(op.changeCount()).toEqual({ changed: 520, keys: 20 });
    expect(fullIsSmaller([op])).toBe(true);
    // The job then writes a full snapshot and restarts tracking: only keys changed after it are in the next delta.
    const full = op.snapshotState();
    expect(unpacked(full.extra.packed).ids).toEqual(Array.from({ length: 20 }, (_, k) => k));
    op.trackChanges();
    expect(op.changeCount()).toEqual({ changed: 0, keys: 20 });
    op.processElement({ k: 3, ts: 170 }, 170, 0);
    op.processElement({ k: 700, ts: 170 }, 170, 0);
    const delta = op.snapshotChanges();
    expect(unpacked(delta.packed).ids).toEqual([3, 700]);
    expect(delta.deletes).toEqual([]);
    expect(unpacked(applyKeyedDelta(full, delta).extra.packed)).toEqual(unpacked(op.snapshotState().extra.packed));
  });

  it("1,000 keys in one tumbling window are one run of 16 bytes per key, and restore exactly", () => {
    const node = from(fromArray<{ k: number; ts: number }>([]))
      .withTimestamps((r) => r.ts)
      .keyBy((r) => r.k)
      .window(tumbling(3_600_000))
      .aggregate(count())
      .to(collect())
      .plan().sinks[0]!.input;
    if (node.kind !== "window") throw new Error(`expected a window node, got ${node.kind}`);
    const discard: Output = { collect: () => {}, side: () => {}, watermark: () => {}, idle: () => {} };
    const make = () => new WindowOperator("w", discard, 1, { ...node, now: () => 0 });
    const op = make();
    for (let i = 0; i < 3_000; i++) op.processElement({ k: (i * 7) % 1_000, ts: i }, i, 0);
    op.processWatermark(10, 0);
    const full = op.snapshotState();
    expect(full.extra.ids).toEqual([]);
    // count, header, varying, idFirst, 6 shared (start, end, flags, event timer, processing timer, trigger state), then id + count per key.
    expect(full.extra.packed!.length).toBe(4 + 6 + 1_000 * 2);
    const { ids, entries } = unpacked(full.extra.packed);
    expect(ids.length).toBe(1_000);
    expect(entries[ids.indexOf(7)]).toEqual([7, 0, 3_600_000, 1, 3, 3_599_999, undefined, undefined]);
    const restored = make();
    restored.restoreState(decodeSnapshot(encodeSnapshot(full)));
    // The same run (restored rows are in key order: compare the entries by id).
    const again = restored.snapshotState();
    expect(again.extra.packed!.length).toBe(full.extra.packed!.length);
    const byId = (s: typeof full) => {
      const u = unpacked(s.extra.packed);
      return u.ids.map((id, i) => [id, u.entries[i]] as const).sort((a, b) => (a[0] as number) - (b[0] as number));
    };
    expect(byId(again)).toEqual(byId(full));
    expect(again.valve).toEqual(full.valve);
    // A delta of the keys changed since: the same run layout.
    op.trackChanges();
    for (let k = 0; k < 10; k++) op.processElement({ k, ts: 20 }, 20, 0);
    const delta = op.snapshotChanges();
    expect(delta.packed!.length).toBe(4 + 6 + 10 * 2);
    expect(unpacked(applyKeyedDelta(full, delta).extra.packed)).toEqual(unpacked(op.snapshotState().extra.packed));
  });
});
