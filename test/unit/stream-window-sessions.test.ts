/**
 * Session windows with the event-time trigger: the window operator's shortcut (a key's one session grows
 * in place; its timer moves later without a new queue entry per element, queued at its time when the old
 * entry comes up) against the general merge path (the same assigner hidden behind a plain object, so the
 * operator cannot recognise it). Random out-of-order streams with late elements bridging sessions, with
 * and without allowed lateness, restored from a mid-run checkpoint: the same firings per watermark, the
 * same late records, counters and checkpointed state.
 */
import { describe, expect, it } from "vitest";
import { collect, from, OutputTag } from "../../src/stream/index.js";
import type { DataStream, PlanNode } from "../../src/stream/index.js";
import { fromArray } from "../../src/stream/sources/from-array.js";
import { count } from "../../src/stream/aggregates/index.js";
import type { Output } from "../../src/stream/runtime/operator.js";
import { WindowOperator } from "../../src/stream/runtime/operators/window-operator.js";
import { decodeSnapshot, encodeSnapshot } from "../../src/stream/checkpoint/snapshot-codec.js";
import { unpacked, type KeyedFullSnapshot } from "../../src/stream/state/keyed-snapshot.js";
import { END_OF_TIME } from "../../src/stream/time/watermark.js";
import { session } from "../../src/stream/windowing/index.js";
import type { WindowAssigner } from "../../src/stream/windowing/index.js";
import { seededRandom } from "../support/seeded-random.mjs";

interface Ev {
  id: number;
  key: string;
  ts: number;
}

const LATE = new OutputTag<Ev>("late");

/** The same sessions through the general merge path (not recognised as `session(...)`). */
function opaque(inner: WindowAssigner): WindowAssigner {
  return {
    description: `opaque ${inner.description}`,
    domain: inner.domain,
    assignWindows: (ts) => inner.assignWindows(ts),
    defaultTrigger: () => inner.defaultTrigger(),
    mergeWindows: (windows) => inner.mergeWindows!(windows),
  };
}

function makeOperator(assigner: WindowAssigner, lateness: number, log: string[]): WindowOperator {
  const stream = from(fromArray<Ev>([]))
    .withTimestamps((e) => e.ts, { outOfOrderness: 0 })
    .keyBy((e) => e.key)
    .window(assigner)
    .allowedLateness(lateness)
    .sideOutputLateData(LATE)
    .aggregate(count(), (n, w) => `${w.key} [${w.start},${w.end}) ${w.firing} wm=${w.watermark} n=${n}`) as DataStream<unknown>;
  const node = stream.to(collect()).plan().sinks[0]!.input as Extract<PlanNode, { kind: "window" }>;
  const out: Output = {
    collect: (value, ts) => log.push(`out ${String(value)} @${ts}`),
    side: (_tag, value) => log.push(`late ${(value as Ev).id}`),
    watermark: (wm) => log.push(`wm ${wm}`),
    idle: () => {},
  };
  return new WindowOperator("sessions", out, 1, { ...node, now: () => 0 });
}

/** The checkpointed windows of every key, sorted (the two paths may list keys and windows in another order). */
function windowsOf(op: WindowOperator): string[] {
  const s = decodeSnapshot(encodeSnapshot(op.snapshotState())) as KeyedFullSnapshot;
  const entries = [...s.extra.entries, ...unpacked(s.extra.packed).entries] as unknown[][];
  const out: string[] = [];
  for (const e of entries) for (let i = 1; i < e.length; i += 7) out.push(`${String(e[0])} [${String(e[i])},${String(e[i + 1])}) acc=${String(e[i + 3])} timers=${JSON.stringify(e[i + 4])}`);
  return out.sort();
}

/** Cuts the log at watermarks and sorts each part: firings of one watermark may come in another key order. */
function byWatermark(log: readonly string[]): string[][] {
  const parts: string[][] = [[]];
  for (const line of log) {
    parts.at(-1)!.push(line);
    if (line.startsWith("wm ")) parts.push([]);
  }
  return parts.map((p) => p.sort());
}

function drive(assigner: () => WindowAssigner, lateness: number, seed: number): { log: string[][]; windows: string[][] } {
  const random = seededRandom(seed);
  const log: string[] = [];
  const windows: string[][] = [];
  let op = makeOperator(assigner(), lateness, log);
  let t = -50;
  let maxTs = -Infinity;
  const n = 400;
  const cut = 100 + Math.floor(random() * 200);
  for (let i = 0; i < n; i++) {
    if (i === cut) {
      const state = decodeSnapshot(encodeSnapshot(op.snapshotState()));
      op = makeOperator(assigner(), lateness, log);
      op.restoreState(state);
    }
    t += Math.floor(random() * 4);
    const late = random() < 0.2 ? Math.floor(random() * 60) : 0;
    const e: Ev = { id: i, key: `k${Math.floor(random() * 4)}`, ts: t - late };
    op.processElement(e, e.ts, 0);
    maxTs = Math.max(maxTs, e.ts);
    if (random() < 0.4) op.processWatermark(maxTs - 8, 0);
    if (i % 25 === 0) windows.push(windowsOf(op));
  }
  op.processWatermark(END_OF_TIME, 0);
  log.push(`counters ${op.counters.recordsIn} ${op.counters.recordsOut} ${op.counters.lateRecordsDropped} ${op.windowCount}`);
  return { log: byWatermark(log), windows };
}

describe("session windows: the in-place shortcut equals the general merge path", () => {
  for (const lateness of [0, 12]) {
    it(`gap 10, allowed lateness ${lateness}: same firings, late records and state, restored mid-run`, () => {
      let firings = 0;
      let late = 0;
      for (let seed = 1; seed <= 10; seed++) {
        const fast = drive(() => session(10), lateness, seed);
        const general = drive(() => opaque(session(10)), lateness, seed);
        expect(fast, `seed ${seed}`).toEqual(general);
        firings += fast.log.flat().filter((l) => l.startsWith("out ")).length;
        late += fast.log.flat().filter((l) => l.startsWith("late ")).length;
      }
      expect(firings).toBeGreaterThan(100);
      expect(late).toBeGreaterThan(0);
    }, 120_000);
  }
});
