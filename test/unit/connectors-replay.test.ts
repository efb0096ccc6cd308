/**
 * replay(): a deterministic windowed job rerun from a retained checkpoint into a new table reproduces the
 * reference's tail exactly; a changed filter shows exactly the cells it changes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import { codecs } from "../../src/hbase/bytes/value-codecs.js";
import type { Connection, Put, Table } from "../../src/hbase/table.js";
import { hbaseSink } from "../../src/connectors/hbase-sink.js";
import { replay } from "../../src/connectors/replay.js";
import { DirectoryCheckpointStore, from } from "../../src/stream/index.js";
import type { CheckpointInfo, Job, Sink, WindowResult } from "../../src/stream/index.js";
import { nexmark } from "../../src/stream/sources/index.js";
import type { Bid } from "../../src/stream/sources/index.js";
import { tumbling } from "../../src/stream/windowing/index.js";
import { count } from "../../src/stream/aggregates/index.js";
import { text } from "./hbase-embedded-support.js";

let dir: string;
let conn: Connection;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-replay-"));
  conn = await connect({ path: path.join(dir, "hbase") });
});
afterEach(async () => {
  await conn.close();
  await rm(dir, { recursive: true, force: true });
});

const checkpoints = () => path.join(dir, "checkpoints");
const generator = { seed: 11, maxEvents: 12_000, eventsPerSecond: 1_000 };

const toPut = (w: WindowResult<number, number>): Put => ({
  row: `${String(w.key).padStart(6, "0")}/${w.start}`,
  timestamp: w.end - 1,
  cells: [{ family: "c", qualifier: "bids", value: codecs.int64.encode(w.value) }],
});

/** Bids per auction per 1 s window into `table` (deterministic row keys and timestamps); `keep` filters bids. */
function counts(table: Table, keep: (b: Bid) => boolean = () => true, sink?: (inner: Sink<WindowResult<number, number>>) => Sink<WindowResult<number, number>>) {
  const inner = hbaseSink(table, { toMutation: toPut });
  return from(nexmark(generator))
    .filter((e): e is Bid => e.kind === "bid")
    .filter(keep)
    .withTimestamps((b) => b.dateTime, { outOfOrderness: 4_000 })
    .keyBy((b) => b.auction)
    .window(tumbling(1_000))
    .aggregate(count())
    .to(sink === undefined ? inner : sink(inner));
}

async function table(name: string): Promise<Table> {
  await conn.admin.createTable(name, { families: ["c"] });
  return conn.table(name);
}

/** All cells as "row@ts=value" lines. */
async function cells(t: Table, minTimestamp = 0): Promise<string[]> {
  const out: string[] = [];
  for await (const r of t.scan({ maxVersions: 10, timeRange: { min: minTimestamp } })) {
    for (const c of r.cells) out.push(`${text(r.row)}@${c.timestamp}=${codecs.int64.decode(c.value)}`);
  }
  return out;
}

/**
 * The reference run: to the end, with a checkpoint at the first round and one requested from inside the
 * sink once it has written 400 windows (taken at the next round boundary: mid-run, whatever the speed).
 */
async function referenceRun(): Promise<{ reference: Table; first: CheckpointInfo; mid: CheckpointInfo }> {
  const reference = await table("reference");
  let written = 0;
  let job: Job | undefined;
  let mid: Promise<CheckpointInfo> | undefined;
  const watching = (inner: Sink<WindowResult<number, number>>): Sink<WindowResult<number, number>> => ({
    ...inner,
    async write(records) {
      await inner.write(records);
      written += records.length;
      if (written >= 400 && mid === undefined) mid = job!.checkpoint();
    },
  });
  job = counts(reference, undefined, watching).start({ name: "reference", batchSize: 50, watermarkInterval: 1, checkpoint: { every: Number.MAX_SAFE_INTEGER, storage: checkpoints(), retain: 5 } });
  const first = await job.checkpoint();
  await job.done;
  expect(mid).toBeDefined();
  return { reference, first, mid: await mid! };
}

describe("replay", () => {
  it("reruns an unchanged job from a mid-run checkpoint: the reference's tail exactly, an empty diff", { timeout: 120_000 }, async () => {
    const { reference, first, mid } = await referenceRun();
    expect(first.id).toBeLessThan(mid.id);
    const into = await table("replayed");
    const result = await replay({ pipeline: (t) => counts(t), checkpoints: checkpoints(), from: { checkpoint: mid.id }, reference, into });
    expect(result.checkpoint?.id).toBe(mid.id);
    expect(result.job.status).toBe("finished");
    const all = await cells(reference);
    const tail = await cells(into);
    expect(tail.length).toBeGreaterThan(0);
    expect(tail.length).toBeLessThan(all.length); // a tail: the windows before the checkpoint were not rewritten
    expect(result.identical).toBe(true);
    expect(result.diff.counts.unchanged).toBe(tail.length);
    expect(result.toString()).toMatch(/^replay from checkpoint \d+: reference → replayed: identical \(\d+ cells\)$/);
    // The storage was only read: the same checkpoints, none written or pruned.
    expect((await new DirectoryCheckpointStore(checkpoints()).list()).map((c) => c.id)).toEqual([first.id, mid.id]);
  });

  it("shows exactly the cells a changed filter changes: an auction dropped by the filter shows as removed", { timeout: 120_000 }, async () => {
    const { reference, mid } = await referenceRun();
    const unchanged = await replay({ pipeline: (t) => counts(t), checkpoints: checkpoints(), from: { checkpoint: mid.id }, reference, into: await table("unchanged") });
    expect(unchanged.identical).toBe(true);
    const oldest = Number(/≥ (\d+)/.exec(unchanged.compared)![1]);
    // An auction all of whose windows start ≥ 5 s (the 4 s out-of-orderness + a window) after the oldest
    // cell the replay wrote: none of its bids had been read at the checkpoint, so dropping it changes
    // nothing but its own windows — each of which must show as removed, and nothing else.
    const firstWindow = new Map<string, number>();
    for (const line of await cells(reference)) {
      const [auction, start] = line.slice(0, line.indexOf("@")).split("/") as [string, string];
      firstWindow.set(auction, Math.min(firstWindow.get(auction) ?? Infinity, Number(start)));
    }
    const dropped = [...firstWindow].find(([, start]) => start >= oldest + 5_000)?.[0];
    expect(dropped).toBeDefined();
    const result = await replay({
      pipeline: (t) => counts(t, (b) => String(b.auction).padStart(6, "0") !== dropped),
      checkpoints: checkpoints(),
      from: { checkpoint: mid.id },
      reference,
      into: await table("changed"),
      diff: { limit: Infinity },
    });
    const expected = (await cells(reference)).filter((l) => l.startsWith(`${dropped}/`));
    expect(expected.length).toBeGreaterThan(0);
    expect(result.diff.counts).toMatchObject({ added: 0, changed: 0, removed: expected.length });
    const removed = result.diff.differences.map((d) => `${text(d.row)}@${d.old!.timestamp}=${codecs.int64.decode(d.old!.value)}`);
    expect(removed).toEqual(expected);
    expect(result.compared).toBe(`cells with timestamps ≥ ${oldest} (the oldest the replay wrote)`);
  });

  it("replays from the start (no state) and compares whole tables; from \"latest\" uses the newest checkpoint", { timeout: 120_000 }, async () => {
    const { reference, mid } = await referenceRun();
    const whole = await replay({ pipeline: (t) => counts(t), checkpoints: checkpoints(), from: "start", reference, into: await table("whole") });
    expect(whole.checkpoint).toBeUndefined();
    expect(whole.identical).toBe(true);
    expect(whole.diff.counts.unchanged).toBe((await cells(reference)).length);
    const latest = await replay({ pipeline: (t) => counts(t), checkpoints: checkpoints(), reference, into: await table("latest") });
    expect(latest.checkpoint?.id).toBe(mid.id);
    expect(latest.identical).toBe(true);
    const bundle = latest.bundle();
    expect(String(bundle["text/plain"])).toMatch(/^replay from checkpoint \d+, [\d,]+ records read; compared: cells with timestamps ≥ \d+/);
    expect(bundle["text/html"]).toContain("<b>replay from checkpoint");
    expect(bundle["application/vnd.sluice.table-diff+json"]).toMatchObject({ identical: true });
  });

  it("refuses clearly: a table that is not empty, the reference itself, a missing checkpoint, no checkpoints, a pipeline of another shape", { timeout: 120_000 }, async () => {
    const reference = await table("reference");
    const into = await table("into");
    const base = { pipeline: (t: Table) => counts(t), checkpoints: checkpoints(), reference, into };
    await expect(replay(base)).rejects.toThrow(/no checkpoint in .* to replay from \(use from: "start"/);
    await expect(replay({ ...base, into: reference })).rejects.toThrow("into must be another table than the reference (reference)");
    await expect(replay({ ...base, from: "sometime" as never })).rejects.toThrow(/from must be "latest", "start"/);
    await expect(replay({ ...base, compare: "cells" as never })).rejects.toThrow(/compare must be "time", "rows" or "all"/);
    await expect(replay({ ...base, pipeline: () => ({}) as never, from: "start" })).rejects.toThrow(/must return a pipeline ready to start\(\)/);
    const job = counts(reference).start({ checkpoint: { every: Number.MAX_SAFE_INTEGER, storage: checkpoints() } });
    const taken = await job.checkpoint();
    await job.done;
    await expect(replay({ ...base, from: { checkpoint: 99 } })).rejects.toThrow(`no checkpoint 99 in ${checkpoints()} (retained: ${taken.id})`);
    await expect(replay({ ...base, from: { savepoint: "nope" } })).rejects.toThrow(/no savepoint named "nope"/);
    const otherShape = (t: Table) => from(nexmark(generator)).filter((e): e is Bid => e.kind === "bid").withTimestamps((b) => b.dateTime).keyBy((b) => b.auction).window(tumbling(1_000)).aggregate(count()).to(hbaseSink(t, { toMutation: toPut }));
    await expect(replay({ ...base, pipeline: otherShape })).rejects.toThrow(/the replay job failed: checkpoint \d+ was written by a different pipeline/);
    await into.put({ row: "x", cells: [{ family: "c", qualifier: "q", value: "v" }] });
    await expect(replay({ ...base, from: "start" })).rejects.toThrow("table into is not empty");
  });
});
