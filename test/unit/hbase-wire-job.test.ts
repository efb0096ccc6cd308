/**
 * Stream jobs through Sluice's wire client (`connect({ zookeeper, root })`) against the local
 * HBase-compatible endpoint, with a real ZooKeeper:
 *
 * - the endpoint is stopped and started again (same store, another port) while a job writes through
 *   `hbaseSink`: the client finds the new server through ZooKeeper and reconnects; nothing a checkpoint
 *   acknowledged is lost, and the table ends equal to the expected output (if the job fails while the
 *   server is down, it is restored from its latest checkpoint, as a user would);
 * - a pipeline that reads through the wire (`hbaseScan`, one split per region) and writes through it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { codecs } from "../../src/hbase/bytes/value-codecs.js";
import { connect } from "../../src/hbase/connect.js";
import type { Connection } from "../../src/hbase/table.js";
import { hbaseScan } from "../../src/connectors/hbase-scan-source.js";
import { hbaseSink } from "../../src/connectors/hbase-sink.js";
import { from, type Job, type Source, type SourceBatch, type SplitPosition, type SplitReader } from "../../src/stream/index.js";
import { sum } from "../../src/stream/aggregates/index.js";
import { tumbling } from "../../src/stream/windowing/index.js";
import { serveStore, type ServedStore } from "../support/hbase-backends.js";
import { freePort } from "../support/free-port.mjs";
import { startZooKeeper, type ZooKeeperServer } from "../support/zookeeper.mjs";

let zk: ZooKeeperServer;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  zk = await startZooKeeper();
});
afterAll(async () => {
  await zk?.stop();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "sluice-wire-job-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A store behind an endpoint, and the wire client on it (tables are created through its admin). */
async function setup(compat: 1 | 2): Promise<{ served: ServedStore; client: Connection; admin: Connection["admin"] }> {
  const served = await serveStore({ zookeeper: zk.connectString, compat });
  cleanups.push(() => served.close());
  const client = await connect({ zookeeper: zk.connectString, root: served.root });
  cleanups.push(() => client.close());
  return { served, client, admin: client.admin };
}

/**
 * A bounded source of the numbers 0 … size−1 in one split (position: how many were read) that stops
 * at `gateAt` (answering "idle") until `release()` is called; `reached` resolves when it got there. A
 * restored run starts with the gate open.
 */
function gatedSource(size: number, gateAt: number): Source<number> & { readonly reached: Promise<void>; release(): void } {
  let opened = false;
  let reachedGate!: () => void;
  const reached = new Promise<void>((resolve) => (reachedGate = resolve));
  return {
    description: `gated numbers (${size}, gate at ${gateAt})`,
    bounded: true,
    size,
    reached,
    release() {
      opened = true;
    },
    async splits() {
      return [{ id: "numbers" }];
    },
    async open(_split, position?: SplitPosition): Promise<SplitReader<number>> {
      let next = typeof position === "number" ? position : 0;
      return {
        async poll(max: number): Promise<SourceBatch<number>> {
          const limit = opened ? size : Math.min(size, gateAt);
          if (next >= limit) {
            if (next >= size) return { records: [], status: "end" };
            reachedGate();
            return { records: [], status: "idle" };
          }
          const records: number[] = [];
          while (records.length < max && next < limit) records.push(next++);
          return { records, status: "more" };
        },
        position: () => next,
        close: async () => undefined,
      };
    },
  };
}

const rowOf = (i: number) => `r${String(i).padStart(5, "0")}`;
const valueOf = (i: number) => `value-${i * 7}`;

/** The table's contents as "row=value@timestamp", through `conn`. */
async function contents(conn: Connection, table: string): Promise<string[]> {
  const out: string[] = [];
  for await (const r of conn.table(table).scan()) {
    for (const c of r.cells) out.push(`${text(r.row)}/${text(c.family)}:${text(c.qualifier)}=${text(c.value)}@${c.timestamp}`);
  }
  return out;
}

for (const compat of [1, 2] as const) {
  describe(`jobs through the wire client (endpoint compat ${compat})`, () => {
    it("the endpoint restarts on another port while a job writes: the client reconnects, and the table ends exact", async () => {
      const { served, client, admin } = await setup(compat);
      await admin.createTable("out", { families: ["d"], splitKeys: [rowOf(500)] });
      const checkpoints = await tempDir();
      const SIZE = 1_000;
      const GATE = 400;
      const expected = Array.from({ length: SIZE }, (_, i) => `${rowOf(i)}/d:v=${valueOf(i)}@${1_000 + i}`);
      const source = gatedSource(SIZE, GATE);
      // Deterministic rows and timestamps: records replayed after a restore overwrite the same cells.
      const start = (restore: boolean): Job =>
        from(source)
          .map((i) => ({ row: rowOf(i), timestamp: 1_000 + i, cells: [{ family: "d", qualifier: "v", value: valueOf(i) }] }))
          .to(hbaseSink(client.table("out"), { toMutation: (put) => put, maxRows: 50, flushIntervalMs: 0 }))
          .start({ name: `wire restart ${compat}`, batchSize: 50, checkpoint: { every: 100, storage: checkpoints }, ...(restore ? { restore: "latest" as const } : {}) });

      const job = start(false);
      cleanups.push(() => job.cancel());
      await source.reached;
      // Everything before the gate is acknowledged by this checkpoint (the sink flushes before it completes).
      await job.checkpoint();
      expect(await served.store.table("out").count()).toBe(GATE);

      const oldPort = served.endpoint!.port;
      await served.stopEndpoint();
      source.release();
      // The sink takes records and starts flushing them while no server is there.
      await vi.waitFor(() => expect(job.metrics().recordsOut).toBeGreaterThanOrEqual(GATE + 50), { timeout: 30_000, interval: 5 });
      let port = await freePort();
      while (port === oldPort) port = await freePort();
      await served.startEndpoint(port);

      const failure = await job.done.then(
        () => undefined,
        (error: unknown) => error,
      );
      if (failure !== undefined) {
        // The job gave up while the server was away: restore it from its latest checkpoint.
        const restored = start(true);
        cleanups.push(() => restored.cancel());
        await restored.done;
      }
      // The same client, reconnected to the new server, reads back exactly the expected table.
      expect(await contents(client, "out")).toEqual(expected);
      expect(await contents(served.store, "out")).toEqual(expected);
      expect(served.endpoint!.port).toBe(port);
    });

    it("a windowed pipeline reads a pre-split table through the wire (hbaseScan) and writes its results through it", async () => {
      const { served, client, admin } = await setup(compat);
      await admin.createTable("bids", { families: ["d"], splitKeys: ["a2", "a3"] });
      await admin.createTable("sums", { families: ["s"], splitKeys: ["a2"] });
      const rows = [];
      for (const auction of [1, 2, 3]) {
        for (let seq = 0; seq < 40; seq++) {
          rows.push({
            row: `a${auction}/${String(seq).padStart(3, "0")}`,
            cells: [
              { family: "d", qualifier: "price", value: codecs.double.encode(auction * 100 + seq) },
              { family: "d", qualifier: "ts", value: codecs.int64.encode(BigInt(seq * 1_000)) },
            ],
          });
        }
      }
      await client.table("bids").putMany(rows);
      const source = hbaseScan(client.table("bids"), {
        batchSize: 7,
        map: (r) => ({ auction: text(r.row).split("/")[0]!, price: r.get("d:price", "double")!, ts: Number(r.get("d:ts", "int64")) }),
      });
      expect((await source.splits()).map((s) => s.id)).toEqual(["region-", "region-6132", "region-6133"]);
      const job = from(source)
        .withTimestamps((b) => b.ts)
        .keyBy((b) => b.auction)
        .window(tumbling(10_000))
        .aggregate(sum((b: { price: number }) => b.price))
        .to(
          hbaseSink(client.table("sums"), {
            maxRows: 4,
            toMutation: (w) => ({
              row: `${w.key}/${String(w.start).padStart(6, "0")}`,
              timestamp: w.end - 1,
              cells: [{ family: "s", qualifier: "total", value: codecs.double.encode(w.value) }],
            }),
          }),
        )
        .start({ name: `wire read-write ${compat}`, batchSize: 5 });
      cleanups.push(() => job.cancel());
      await job.done;
      // Per auction, four 10 s windows of ten bids each: seq 10k … 10k+9.
      const expected: string[] = [];
      for (const auction of [1, 2, 3]) {
        for (let w = 0; w < 4; w++) {
          let total = 0;
          for (let seq = w * 10; seq < w * 10 + 10; seq++) total += auction * 100 + seq;
          expected.push(`a${auction}/${String(w * 10_000).padStart(6, "0")}=${total}@${w * 10_000 + 9_999}`);
        }
      }
      const read = async (conn: Connection) => {
        const out: string[] = [];
        for await (const r of conn.table("sums").scan()) out.push(`${text(r.row)}=${r.get("s:total", "double")}@${r.cells[0]!.timestamp}`);
        return out;
      };
      expect(await read(client)).toEqual(expected);
      expect(await read(served.store)).toEqual(expected);
    });
  });
}
