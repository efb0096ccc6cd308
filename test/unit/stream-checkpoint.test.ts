/**
 * Checkpoints of running jobs (rules 14, 15, 17): a job restored from its latest checkpoint continues so
 * that its results equal a run without failure; the HBase sink's table ends exactly equal (rule 16).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, DirectoryCheckpointStore, from } from "../../src/stream/index.js";
import type { DataStream, WindowResult } from "../../src/stream/index.js";
import { nexmark } from "../../src/stream/sources/index.js";
import type { Bid } from "../../src/stream/sources/index.js";
import { session, tumbling } from "../../src/stream/windowing/index.js";
import { count } from "../../src/stream/aggregates/index.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import { connect } from "../../src/hbase/connect.js";
import { codecs } from "../../src/hbase/bytes/value-codecs.js";
import { hbaseSink } from "../../src/connectors/hbase-sink.js";
import type { Connection } from "../../src/hbase/table.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-ckpt-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const generator = { seed: 7, maxEvents: 6_000, eventsPerSecond: 1_000 };
const bids = () =>
  from(nexmark(generator))
    .filter((e): e is Bid => e.kind === "bid")
    .withTimestamps((b) => b.dateTime, { outOfOrderness: 4_000 });

/** Windowed counts per auction, and sessions per bidder: state in windows, timers and watermarks. */
function pipeline(): DataStream<string> {
  const tumblingCounts = bids()
    .keyBy((b) => b.auction)
    .window(tumbling(1_000))
    .aggregate(count(), (n, w) => `t ${w.key} ${w.start} ${n}`);
  const sessions = bids()
    .keyBy((b) => b.bidder)
    .window(session(500))
    .aggregate(count(), (n, w) => `s ${w.key} ${w.start}-${w.end} ${n}`);
  return tumblingCounts.union(sessions);
}

function clock(): { now: () => number } {
  let t = 0;
  return { now: () => (t += 10) };
}

describe("checkpoints", () => {
  it("rule 15: a job restored from its latest checkpoint ends with the results of a run without failure", async () => {
    const reference = collect<string>();
    await startJob(pipeline().to(reference).plan(), { batchSize: 100 }, clock()).done;
    expect(reference.records.length).toBeGreaterThan(100);

    // Run 1: checkpoints every 50 ms of (test) time; cancelled (a crash) once some windows have fired.
    // The sink notes how many records it had when each checkpoint flushed it.
    const first: string[] = [];
    const flushedAt: number[] = [];
    const sink = { description: "recording", write: (rs: readonly string[]) => void first.push(...rs), flush: () => void flushedAt.push(first.length) };
    const job1 = startJob(pipeline().to(sink).plan(), { batchSize: 100, checkpoint: { every: 50, storage: dir } }, clock());
    while (first.length < 200 && job1.status === "running") await new Promise((r) => setTimeout(r, 1));
    const target = job1.metrics().lastCheckpoint!.id + 1;
    while ((job1.metrics().lastCheckpoint?.id ?? 0) < target && job1.status === "running") await new Promise((r) => setTimeout(r, 1));
    await job1.cancel();
    expect(job1.status).toBe("cancelled");
    const beforeCheckpoint = first.slice(0, flushedAt.at(-1));
    expect(beforeCheckpoint.length).toBeGreaterThan(0);

    // Run 2: the same pipeline, built again, restored from the latest checkpoint, runs to the end.
    const second = collect<string>();
    const job2 = startJob(pipeline().to(second).plan(), { batchSize: 100, checkpoint: { every: 50, storage: dir }, restore: "latest" }, clock());
    await job2.done;
    expect(job2.status).toBe("finished");
    // What run 1 emitted up to its checkpoint plus everything run 2 emitted = the reference, exactly.
    expect(second.records.length).toBeLessThan(reference.records.length);
    expect([...beforeCheckpoint, ...second.records].sort()).toEqual([...reference.records].sort());
  });

  it("rule 16: the HBase sink's table equals a run without failure after a crash and restore", async () => {
    const conn: Connection = await connect({ path: path.join(dir, "hbase") });
    try {
      for (const t of ["reference", "restored"]) await conn.admin.createTable(t, { families: ["c"] });
      const sinkInto = (table: string) =>
        hbaseSink(conn.table(table), {
          toMutation: (w: WindowResult<number, number>) => ({
            row: `${String(w.key).padStart(6, "0")}/${w.start}`,
            timestamp: w.end - 1,
            cells: [{ family: "c", qualifier: "n", value: codecs.int64.encode(w.value) }],
          }),
        });
      const counts = () => bids().keyBy((b) => b.auction).window(tumbling(1_000)).aggregate(count());
      await startJob(counts().to(sinkInto("reference")).plan(), { batchSize: 100 }, clock()).done;

      const storage = path.join(dir, "checkpoints");
      for (let crash = 0; crash < 3; crash++) {
        const job = startJob(counts().to(sinkInto("restored")).plan(), { batchSize: 100, checkpoint: { every: 30, storage }, restore: "latest" }, clock());
        const target = (job.metrics().lastCheckpoint?.id ?? 0) + 2;
        while ((job.metrics().lastCheckpoint?.id ?? 0) < target && job.status === "running") await new Promise((r) => setTimeout(r, 1));
        await job.cancel();
      }
      await startJob(counts().to(sinkInto("restored")).plan(), { batchSize: 100, checkpoint: { every: 30, storage }, restore: "latest" }, clock()).done;

      const dump = async (table: string) => {
        const out: string[] = [];
        for await (const r of conn.table(table).scan({ maxVersions: 10 })) {
          for (const c of r.cells) out.push(`${new TextDecoder().decode(r.row)} ${c.timestamp} ${codecs.int64.decode(c.value)}`);
        }
        return out;
      };
      const reference = await dump("reference");
      expect(reference.length).toBeGreaterThan(100);
      expect(await dump("restored")).toEqual(reference);
    } finally {
      await conn.close();
    }
  });

  it("restores any retained checkpoint by id: the output from there on equals the reference's tail", async () => {
    const reference = collect<string>();
    await startJob(pipeline().to(reference).plan(), { batchSize: 100 }, clock()).done;
    const seen: string[] = [];
    const flushedAt = new Map<number, number>();
    const sink = { description: "recording", write: (rs: readonly string[]) => void seen.push(...rs), flush: () => void 0 };
    const job = startJob(pipeline().to(sink).plan(), { batchSize: 100, checkpoint: { every: 1_000_000, storage: dir, retain: 5 } }, clock());
    const first = await job.checkpoint();
    flushedAt.set(first.id, seen.length);
    while (seen.length < 100 && job.status === "running") await new Promise((r) => setTimeout(r, 1));
    const second = await job.checkpoint();
    flushedAt.set(second.id, seen.length);
    await job.cancel();
    const store = new DirectoryCheckpointStore(dir);
    expect((await store.list()).map((c) => c.id)).toEqual([first.id, second.id]);
    // Restoring the OLDER checkpoint replays from there: its prefix plus the replay equals the reference.
    const replay = collect<string>();
    await startJob(pipeline().to(replay).plan(), { batchSize: 100, checkpoint: { every: 1_000_000, storage: dir }, restore: { checkpoint: first.id } }, clock()).done;
    expect([...seen.slice(0, flushedAt.get(first.id)), ...replay.records].sort()).toEqual([...reference.records].sort());
    await expect(
      startJob(pipeline().to(collect()).plan(), { checkpoint: { every: 1_000, storage: dir }, restore: { checkpoint: 99 } }, clock()).done,
    ).rejects.toThrow(`no checkpoint 99 in the checkpoint storage (retained: ${first.id}, ${second.id}`);
    expect(() => startJob(pipeline().to(collect()).plan(), { checkpoint: { every: 1_000, storage: dir }, restore: { checkpoint: -1 } })).toThrow(
      'restore must be "latest", { savepoint: name } or { checkpoint: id }',
    );
  });

  it("savepoints are kept and restorable by name; a changed pipeline is refused naming the difference", async () => {
    const out = collect<string>();
    const job = startJob(pipeline().to(out).plan(), { batchSize: 50, checkpoint: { every: 1_000_000, storage: dir } }, clock());
    const info = await job.savepoint("mid");
    await job.cancel();
    expect(info).toMatchObject({ kind: "savepoint", name: "mid" });
    const again = collect<string>();
    await startJob(pipeline().to(again).plan(), { checkpoint: { every: 1_000_000, storage: dir }, restore: { savepoint: "mid" } }, clock()).done;
    expect(again.records.length).toBeGreaterThan(0);

    const changed = bids().keyBy((b) => b.auction).window(tumbling(2_000)).aggregate(count());
    const refused = startJob(changed.to(collect()).plan(), { checkpoint: { every: 1_000, storage: dir }, restore: { savepoint: "mid" } }, clock());
    await expect(refused.done).rejects.toThrow(/written by a different pipeline and cannot be restored into this one: operator \d+ is/);
    await expect(
      startJob(pipeline().to(collect()).plan(), { checkpoint: { every: 1_000, storage: dir }, restore: { savepoint: "nope" } }, clock()).done,
    ).rejects.toThrow('no savepoint named "nope"');
    expect(() => startJob(pipeline().to(collect()).plan(), { restore: "latest" })).toThrow("restore needs checkpoint storage");
    await expect(startJob(pipeline().to(collect()).plan(), {}, clock()).checkpoint()).rejects.toThrow("has no checkpoint storage");
  });

  it("a paced run's savepoint restores into the same pipeline unpaced (pacing decides when events come, not which); another seed is refused", async () => {
    const counts = (options: Parameters<typeof nexmark>[0]) =>
      from(nexmark(options))
        .filter((e): e is Bid => e.kind === "bid")
        .withTimestamps((b) => b.dateTime, { outOfOrderness: 4_000 })
        .keyBy((b) => b.auction)
        .window(tumbling(1_000))
        .aggregate(count(), (n, w) => `${w.key} ${w.start} ${n}`);
    const reference = collect<string>();
    await startJob(counts(generator).to(reference).plan(), { batchSize: 100 }, clock()).done;

    // Paced on a test clock that stands still until the savepoint is taken: it holds a prefix only.
    let wall = 0;
    const paced = { ...generator, pace: { speedUp: 1, clock: () => wall } };
    const first = collect<string>();
    const job = startJob(counts(paced).to(first).plan(), { batchSize: 100, checkpoint: { every: 1_000_000, storage: dir } }, clock());
    while (job.metrics().recordsIn < 1) await new Promise((r) => setTimeout(r, 1)); // the reader's pace is anchored
    wall = 2_500; // 2.5 s of the 6 s of events are due
    while (job.metrics().recordsIn < 2_000) await new Promise((r) => setTimeout(r, 1));
    await job.savepoint("paced");
    await job.cancel();
    expect(job.metrics().recordsIn).toBeLessThan(generator.maxEvents);

    const rest = collect<string>();
    await startJob(counts(generator).to(rest).plan(), { checkpoint: { every: 1_000_000, storage: dir }, restore: { savepoint: "paced" } }, clock()).done;
    expect([...first.records, ...rest.records].sort()).toEqual([...reference.records].sort());

    const otherSeed = startJob(counts({ ...generator, seed: 8 }).to(collect()).plan(), { checkpoint: { every: 1_000, storage: dir }, restore: { savepoint: "paced" } }, clock());
    await expect(otherSeed.done).rejects.toThrow(/operator 0 is 0:source:nexmark\(seed 8, .* in the checkpoint/);
  });
});
