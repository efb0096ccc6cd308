/**
 * job.restart(from?): a new job running the same plan from a checkpoint; a running job is stopped exactly
 * at a final checkpoint first, so the two runs' output together equals a run without restart.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, from } from "../../src/stream/index.js";
import type { CollectSink, Job, Sink } from "../../src/stream/index.js";
import { nexmark } from "../../src/stream/sources/index.js";
import type { Bid } from "../../src/stream/sources/index.js";
import { tumbling } from "../../src/stream/windowing/index.js";
import { count } from "../../src/stream/aggregates/index.js";
import { connect } from "../../src/hbase/connect.js";
import { hbaseSink } from "../../src/connectors/hbase-sink.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-restart-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const generator = { seed: 5, maxEvents: 12_000, eventsPerSecond: 1_000 };

/** Bids per auction per second, as text lines (deterministic: out-of-orderness covers the generator's). */
function counts(sink: Sink<string>) {
  return from(nexmark(generator))
    .filter((e): e is Bid => e.kind === "bid")
    .withTimestamps((b) => b.dateTime, { outOfOrderness: 4_000 })
    .keyBy((b) => b.auction)
    .window(tumbling(1_000))
    .aggregate(count(), (n, w) => `${w.key}/${w.start}=${n}`)
    .to(sink);
}

/** A collect sink that calls `onWrite` after each batch. */
function watched(onWrite: (seen: number) => void): CollectSink<string> {
  const inner = collect<string>();
  return {
    ...inner,
    records: inner.records,
    write(records) {
      inner.write(records);
      onWrite(inner.records.length);
    },
  };
}

async function reference(): Promise<string[]> {
  const out = collect<string>();
  await counts(out).start({ watermarkInterval: 1 }).done;
  return [...out.records].sort();
}

describe("job.restart", () => {
  it("stops a running job exactly at a final checkpoint and continues from it: nothing lost, nothing twice", { timeout: 120_000 }, async () => {
    const expected = await reference();
    let restarted: Promise<Job> | undefined;
    let first: Job | undefined;
    const sink = watched((seen) => {
      if (seen >= 300 && restarted === undefined) restarted = first!.restart();
    });
    first = counts(sink).start({ name: "counts", watermarkInterval: 1, batchSize: 50, checkpoint: { every: Number.MAX_SAFE_INTEGER, storage: dir } });
    await first.done;
    expect(restarted).toBeDefined();
    const second = await restarted!;
    expect(first.status).toBe("stopped");
    expect(second).not.toBe(first);
    expect(second.name).toBe("counts");
    await second.done;
    expect(second.status).toBe("finished");
    expect(first.metrics().lastCheckpoint).toBeDefined();
    // The same sink got both runs' records: together exactly the reference.
    expect([...sink.records].sort()).toEqual(expected);
  });

  it("restarts an ended job from a retained checkpoint by id", { timeout: 120_000 }, async () => {
    const expected = await reference();
    let job: Job | undefined;
    let atCheckpoint = -1;
    let requested = false;
    const sink = watched((seen) => {
      if (seen >= 300 && !requested) {
        requested = true;
        void job!.checkpoint().then(() => (atCheckpoint = sink.records.length));
      }
    });
    job = counts(sink).start({ watermarkInterval: 1, batchSize: 50, checkpoint: { every: Number.MAX_SAFE_INTEGER, storage: dir } });
    await job.done;
    const id = job.metrics().lastCheckpoint!.id;
    expect(atCheckpoint).toBeGreaterThan(0);
    const before = sink.records.slice(0, atCheckpoint);
    const again = await job.restart({ checkpoint: id });
    await again.done;
    // Run 1 up to its checkpoint, then everything run 2 wrote (appended to the same sink) = the reference.
    expect([...before, ...sink.records.slice(expected.length)].sort()).toEqual(expected);
  });

  it("restarts a job writing through hbaseSink: the table ends equal to a run without restart", { timeout: 120_000 }, async () => {
    const conn = await connect({ path: path.join(dir, "hbase") });
    try {
      for (const t of ["reference", "restarted"]) await conn.admin.createTable(t, { families: ["c"] });
      const into = (table: string, onWrite?: () => void) => {
        const sink = hbaseSink(conn.table(table), {
          toMutation: (line: string) => {
            const [row, n] = line.split("=");
            return { row: row!, cells: [{ family: "c", qualifier: "n", value: n! }], timestamp: 1 };
          },
        });
        return onWrite === undefined ? sink : { ...sink, write: async (rs: readonly string[]) => { await sink.write(rs); onWrite(); } };
      };
      await counts(into("reference")).start({ watermarkInterval: 1 }).done;
      let writes = 0;
      let restarted: Promise<Job> | undefined;
      let first: Job | undefined;
      const sink = into("restarted", () => {
        if (++writes === 5) restarted = first!.restart();
      });
      first = counts(sink).start({ watermarkInterval: 1, batchSize: 50, checkpoint: { every: Number.MAX_SAFE_INTEGER, storage: path.join(dir, "ckpt") } });
      await first.done;
      const second = await restarted!;
      await second.done;
      expect(second.status).toBe("finished");
      const dump = async (table: string) => {
        const out: string[] = [];
        for await (const r of conn.table(table).scan()) for (const c of r.cells) out.push(`${new TextDecoder().decode(r.row)}=${new TextDecoder().decode(c.value)}`);
        return out;
      };
      const expected = await dump("reference");
      expect(expected.length).toBeGreaterThan(100);
      expect(await dump("restarted")).toEqual(expected);
    } finally {
      await conn.close();
    }
  });

  it("refuses clearly: no checkpoint storage, a checkpoint that does not exist (the job keeps running), a bad argument", { timeout: 120_000 }, async () => {
    const plain = counts(collect()).start();
    await expect(plain.restart()).rejects.toThrow(/has no checkpoint storage, so it cannot be restarted/);
    await plain.stop();
    const job = from(nexmark({ seed: 1, eventsPerSecond: 1_000 }))
      .to(collect())
      .start({ checkpoint: { every: Number.MAX_SAFE_INTEGER, storage: dir } });
    const taken = await job.checkpoint();
    await expect(job.restart({ checkpoint: 99 })).rejects.toThrow(`restart: no checkpoint 99 in the checkpoint storage (retained: ${taken.id})`);
    await expect(job.restart({ savepoint: "nope" })).rejects.toThrow(/no savepoint named "nope"/);
    await expect(job.restart("sometime" as never)).rejects.toThrow(/from must be "latest"/);
    expect(job.status).toBe("running");
    await job.stop();
  });
});
