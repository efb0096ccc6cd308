/**
 * The HBase checkpoint store (src/connectors/hbase-checkpoint-store.ts) on the embedded store: the
 * directory store's behaviours (complete-or-absent, N retained, savepoints, damage detected), its row
 * design (chunks, commit marker last, cleanup), the table's creation and validation, a writer killed
 * with SIGKILL in the middle of a large checkpoint, and a job restored from checkpoints in HBase.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../../src/hbase/connect.js";
import type { Connection, Table } from "../../src/hbase/table.js";
import { hbaseCheckpointStore } from "../../src/connectors/hbase-checkpoint-store.js";
import { collect, from } from "../../src/stream/index.js";
import type { DataStream } from "../../src/stream/index.js";
import { nexmark } from "../../src/stream/sources/index.js";
import type { Bid } from "../../src/stream/sources/index.js";
import { session, tumbling } from "../../src/stream/windowing/index.js";
import { count } from "../../src/stream/aggregates/index.js";
import { startJob } from "../../src/stream/runtime/job-runner.js";
import { CHECKPOINT_WRITER, checkpointState } from "../support/hbase-checkpoint-writer.mjs";
import { ensureSluiceBuilt } from "../support/kernelspec.mjs";
import { REPO_ROOT } from "../support/paths.mjs";
const TABLE = "sluice_checkpoints";

let dir: string;
let conn: Connection;
let connOpen = false;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-hchk-"));
  conn = await connect({ path: path.join(dir, "hbase") });
  connOpen = true;
});
afterEach(async () => {
  if (connOpen) await conn.close();
  await rm(dir, { recursive: true, force: true });
});

const bytes = (...b: number[]) => Uint8Array.from(b);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Every row key of the checkpoint table with its columns, e.g. "j/m/0000000000000001/<token> c:meta". */
async function rawRows(connection: Connection = conn, table = TABLE): Promise<string[]> {
  const out: string[] = [];
  for await (const r of connection.table(table).scan({ filter: { type: "keyOnly" } })) {
    out.push(`${r.rowKey} ${r.columns().join(",")}`);
  }
  return out;
}

/** The rows of a job, with the random write tokens replaced by "T". */
async function rowShapes(job: string, connection: Connection = conn): Promise<string[]> {
  return (await rawRows(connection)).filter((r) => r.startsWith(`${job}/`)).map((r) => r.replace(/^([^/]+\/[md]\/\d{16}\/)[0-9a-f]{16}/, "$1T"));
}

describe("hbase checkpoint store", () => {
  it("stores complete checkpoints in chunk rows, lists them oldest first, keeps the newest N", async () => {
    const store = hbaseCheckpointStore(conn, { job: "j", retain: 2, chunkBytes: 4 });
    expect(await store.list()).toEqual([]);
    expect(await store.latest()).toBeUndefined();
    expect(await conn.admin.tableExists(TABLE)).toBe(false); // reading creates nothing
    const state = (id: number) => Uint8Array.from({ length: 10 }, (_, i) => id * 16 + i);
    for (const id of [1, 2, 3]) await store.write({ id, kind: "checkpoint", pipeline: "p" }, state(id));
    const list = await store.list();
    expect(list.map((c) => c.id)).toEqual([2, 3]);
    expect(list[1]).toMatchObject({ id: 3, kind: "checkpoint", bytes: 10, pipeline: "p" });
    expect(Object.keys(list[1]!).sort()).toEqual(["bytes", "completedAt", "id", "kind", "pipeline"]);
    expect(await store.read((await store.latest())!)).toEqual(state(3));
    expect(await store.read(list[0]!)).toEqual(state(2));
    // 10 bytes in chunks of 4: three chunk rows per checkpoint; checkpoint 1 is gone entirely.
    expect(await rowShapes("j")).toEqual([
      "j/d/0000000000000002/T/00000000 c:data",
      "j/d/0000000000000002/T/00000001 c:data",
      "j/d/0000000000000002/T/00000002 c:data",
      "j/d/0000000000000003/T/00000000 c:data",
      "j/d/0000000000000003/T/00000001 c:data",
      "j/d/0000000000000003/T/00000002 c:data",
      "j/m/0000000000000002/T c:meta",
      "j/m/0000000000000003/T c:meta",
    ]);
    // The table was created with one family keeping one version.
    const descriptor = await conn.admin.describeTable(TABLE);
    expect(descriptor.families.map((f) => [f.name, f.maxVersions])).toEqual([["c", 1]]);
  });

  it("round-trips empty state and state of exactly N chunks; a rewritten id replaces the old one", async () => {
    const store = hbaseCheckpointStore(conn, { job: "j", chunkBytes: 3 });
    const empty = await store.write({ id: 1, kind: "checkpoint", pipeline: "p" }, new Uint8Array(0));
    expect(empty.bytes).toBe(0);
    expect(await store.read(empty)).toEqual(new Uint8Array(0));
    await store.write({ id: 2, kind: "checkpoint", pipeline: "p" }, bytes(1, 2, 3, 4, 5, 6));
    const again = await store.write({ id: 2, kind: "checkpoint", pipeline: "q" }, bytes(9));
    expect((await store.list()).map((c) => `${c.id}:${c.pipeline}:${c.bytes}`)).toEqual(["1:p:0", "2:q:1"]);
    expect(await store.read(again)).toEqual(bytes(9));
    expect((await rowShapes("j")).filter((r) => r.includes("/d/"))).toEqual(["j/d/0000000000000002/T/00000000 c:data"]);
    // Every field of the info is kept (e.g. an incremental checkpoint's parent), none of the store's own.
    const delta = { id: 3, kind: "checkpoint" as const, pipeline: "p", parent: 2, base: 1 };
    await store.write(delta, bytes(3));
    expect((await store.latest())!).toEqual({ ...delta, bytes: 1, completedAt: expect.any(Number) });
  });

  it("ignores a write that never committed (a crash mid-write), and removes it and orphan chunks with the next write", async () => {
    const store = hbaseCheckpointStore(conn, { job: "j", retain: 3, chunkBytes: 2 });
    await store.write({ id: 1, kind: "checkpoint", pipeline: "p" }, bytes(1, 1, 1));
    const table = conn.table(TABLE);
    // A crashed write of checkpoint 2: its intent and one chunk, no commit marker.
    await table.put({ row: "j/m/0000000000000002/00000000000000aa", cells: [{ family: "c", qualifier: "pending", value: "{}" }] });
    await table.put({ row: "j/d/0000000000000002/00000000000000aa/00000000", cells: [{ family: "c", qualifier: "data", value: bytes(7, 7) }] });
    // A removal that crashed after the metadata row went: chunks without a metadata row.
    await table.put({ row: "j/d/0000000000000001/00000000000000bb/00000000", cells: [{ family: "c", qualifier: "data", value: bytes(8) }] });
    // Rows under the job's prefix that are not of the store's design are left alone.
    await table.put({ row: "j/d/zzz", cells: [{ family: "c", qualifier: "data", value: bytes(0) }] });
    await table.put({ row: "j/m/other", cells: [{ family: "c", qualifier: "meta", value: "{}" }] });
    expect((await store.list()).map((c) => c.id)).toEqual([1]);
    expect((await store.latest())?.id).toBe(1);
    expect((await rawRows()).length).toBe(8); // list() only reads
    await store.write({ id: 2, kind: "checkpoint", pipeline: "p" }, bytes(2));
    expect((await store.list()).map((c) => c.id)).toEqual([1, 2]);
    expect(await store.read((await store.latest())!)).toEqual(bytes(2));
    expect(await rowShapes("j")).toEqual([
      "j/d/0000000000000001/T/00000000 c:data",
      "j/d/0000000000000001/T/00000001 c:data",
      "j/d/0000000000000002/T/00000000 c:data",
      "j/d/zzz c:data",
      "j/m/0000000000000001/T c:meta",
      "j/m/0000000000000002/T c:meta",
      "j/m/other c:meta",
    ]);
  });

  it("keeps savepoints apart from retention, refuses duplicate and bad names, deletes them by name", async () => {
    const store = hbaseCheckpointStore(conn, { job: "j", retain: 1, chunkBytes: 2 });
    await store.write({ id: 1, kind: "savepoint", name: "before-upgrade", pipeline: "p" }, bytes(1, 2, 3));
    for (const id of [2, 3]) await store.write({ id, kind: "checkpoint", pipeline: "p" }, bytes(id));
    const list = await store.list();
    expect(list.map((c) => `${c.kind}:${c.id}`)).toEqual(["savepoint:1", "checkpoint:3"]);
    expect(list[0]).toMatchObject({ name: "before-upgrade", bytes: 3 });
    expect(await store.read(list[0]!)).toEqual(bytes(1, 2, 3));
    const before = await rawRows();
    await expect(store.write({ id: 4, kind: "savepoint", name: "before-upgrade", pipeline: "p" }, bytes(4))).rejects.toThrow(
      'a savepoint named "before-upgrade" exists already in table default:sluice_checkpoints (job j)',
    );
    await expect(store.write({ id: 4, kind: "savepoint", name: "../escape", pipeline: "p" }, bytes(4))).rejects.toThrow("a savepoint name is");
    await expect(store.write({ id: 4, kind: "savepoint", pipeline: "p" }, bytes(4))).rejects.toThrow("a savepoint name is");
    expect(await rawRows()).toEqual(before);
    await store.deleteSavepoint("before-upgrade");
    expect((await store.list()).map((c) => c.id)).toEqual([3]);
    expect((await rowShapes("j")).some((r) => r.startsWith("j/d/0000000000000001/"))).toBe(false);
    await expect(store.deleteSavepoint("before-upgrade")).rejects.toThrow('no savepoint named "before-upgrade"');
    await expect(store.deleteSavepoint("../x")).rejects.toThrow('no savepoint named "../x"');
  });

  it("refuses bad input with a clear error and writes nothing", async () => {
    const store = hbaseCheckpointStore(conn, { job: "j" });
    await expect(store.write({ id: -1, kind: "checkpoint", pipeline: "p" }, bytes(1))).rejects.toThrow("a checkpoint id is a non-negative integer, got -1");
    await expect(store.write({ id: 1.5, kind: "checkpoint", pipeline: "p" }, bytes(1))).rejects.toThrow("got 1.5");
    await expect(store.write({ id: 1, kind: "other" as "checkpoint", pipeline: "p" }, bytes(1))).rejects.toThrow('kind is "checkpoint" or "savepoint"');
    await expect(store.write({ id: 1, kind: "checkpoint", pipeline: "p" }, "state" as unknown as Uint8Array)).rejects.toThrow("must be a Uint8Array");
    expect(await conn.admin.tableExists(TABLE)).toBe(false);
    expect(() => hbaseCheckpointStore(conn, { job: "" })).toThrow("job is 1 to 100 letters");
    expect(() => hbaseCheckpointStore(conn, { job: "a/b" })).toThrow('got "a/b"');
    expect(() => hbaseCheckpointStore(conn, { job: "j", retain: 0 })).toThrow("retain must be an integer ≥ 1, got 0");
    expect(() => hbaseCheckpointStore(conn, { job: "j", chunkBytes: 0 })).toThrow("chunkBytes must be an integer from 1 to 8388608, got 0");
    expect(() => hbaseCheckpointStore(conn, { job: "j", chunkBytes: 16 * 1024 * 1024 })).toThrow("chunkBytes must be");
    expect(() => hbaseCheckpointStore({} as Connection, { job: "j" })).toThrow("takes a connection or a table");
    expect(() => hbaseCheckpointStore(conn.table(TABLE), { job: "j", table: "x" })).toThrow("the table option is for a connection");
  });

  it("detects damaged state", async () => {
    const store = hbaseCheckpointStore(conn, { job: "j", chunkBytes: 2 });
    const info = await store.write({ id: 1, kind: "checkpoint", pipeline: "p" }, bytes(1, 2, 3, 4, 5));
    const chunk = (await rawRows()).map((r) => r.split(" ")[0]!).find((r) => r.endsWith("/00000001"))!;
    await conn.table(TABLE).delete({ row: chunk });
    await expect(store.read(info)).rejects.toThrow("checkpoint 1 of job j in default:sluice_checkpoints is damaged: chunk 1 of 3 is missing");
    await expect(store.read({ ...info, id: 9 })).rejects.toThrow("no checkpoint 9 in table default:sluice_checkpoints (job j)");
  });

  it("keeps the checkpoints of two jobs in one table apart", async () => {
    const a = hbaseCheckpointStore(conn, { job: "a", retain: 1 });
    const ab = hbaseCheckpointStore(conn, { job: "a.b", retain: 1 });
    await a.write({ id: 5, kind: "checkpoint", pipeline: "pa" }, bytes(5));
    await ab.write({ id: 1, kind: "checkpoint", pipeline: "pb" }, bytes(1));
    await ab.write({ id: 2, kind: "checkpoint", pipeline: "pb" }, bytes(2));
    await ab.write({ id: 3, kind: "savepoint", name: "s", pipeline: "pb" }, bytes(3));
    expect((await a.list()).map((c) => `${c.id}:${c.pipeline}`)).toEqual(["5:pa"]);
    expect((await ab.list()).map((c) => `${c.id}:${c.pipeline}`)).toEqual(["2:pb", "3:pb"]);
    await expect(a.deleteSavepoint("s")).rejects.toThrow('no savepoint named "s" in table default:sluice_checkpoints (job a)');
    await a.write({ id: 6, kind: "checkpoint", pipeline: "pa" }, bytes(6));
    expect((await ab.list()).map((c) => c.id)).toEqual([2, 3]);
    expect(await ab.read((await ab.list())[0]!)).toEqual(bytes(2));
  });

  it("validates an existing table and uses a table given directly", async () => {
    await conn.admin.createTable("wrong", { families: ["x"] });
    const store = hbaseCheckpointStore(conn, { job: "j", table: "wrong" });
    await expect(store.write({ id: 1, kind: "checkpoint", pipeline: "p" }, bytes(1))).rejects.toThrow(
      'table default:wrong cannot hold checkpoints: it has no column family "c" (its families: x)',
    );
    await expect(store.list()).rejects.toThrow("cannot hold checkpoints");
    await conn.admin.createTable("expiring", { families: [{ name: "c", ttlMs: 60_000 }] });
    await expect(hbaseCheckpointStore(conn, { job: "j", table: "expiring" }).write({ id: 1, kind: "checkpoint", pipeline: "p" }, bytes(1))).rejects.toThrow(
      'family "c" has a TTL of 60000 ms',
    );
    expect(await rawRows(conn, "wrong")).toEqual([]);
    expect(await rawRows(conn, "expiring")).toEqual([]);

    // Another family of an existing table, and a table given directly.
    const other = hbaseCheckpointStore(conn, { job: "j", table: "wrong", family: "x" });
    await other.write({ id: 1, kind: "checkpoint", pipeline: "p" }, bytes(1, 2));
    const direct = hbaseCheckpointStore(conn.table("wrong"), { job: "j", family: "x" });
    expect(await direct.read((await direct.latest())!)).toEqual(bytes(1, 2));
  });

  it("does not commit a checkpoint whose intent was removed while it was written", async () => {
    // A table that, like a second writer cleaning up, removes the intent before the commit.
    await conn.admin.createTable(TABLE, { families: ["c"] });
    const real = conn.table(TABLE);
    const meddling = new Proxy(real, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (property === "checkAndMutate") {
          return async (...args: Parameters<Table["checkAndMutate"]>) => {
            await target.delete({ row: args[0] });
            return target.checkAndMutate(...args);
          };
        }
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const store = hbaseCheckpointStore(meddling, { job: "j", chunkBytes: 1 });
    await expect(store.write({ id: 1, kind: "checkpoint", pipeline: "p" }, bytes(1, 2, 3))).rejects.toThrow(
      "checkpoint 1 of job j in default:sluice_checkpoints was removed while it was being written",
    );
    expect(await store.list()).toEqual([]);
    expect(await rawRows()).toEqual([]);
  });

  it("removes the chunks of a write whose chunk rows could not all be stored, and reports the error", async () => {
    const store = hbaseCheckpointStore(conn, { job: "j", chunkBytes: 4 });
    await store.write({ id: 1, kind: "checkpoint", pipeline: "p" }, bytes(1));
    const before = await rawRows();
    // A table whose second putMany fails (as a full disk or a lost region server would).
    let calls = 0;
    const failing = new Proxy(conn.table(TABLE), {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (property === "putMany") {
          return async (puts: Parameters<Table["putMany"]>[0]) => {
            if (++calls === 2) throw new Error("disk full");
            return target.putMany(puts);
          };
        }
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const big = new Uint8Array(3 * 8 * 1024 * 1024); // three putMany calls of 8 MiB
    await expect(hbaseCheckpointStore(failing, { job: "j", chunkBytes: 1024 * 1024 }).write({ id: 2, kind: "checkpoint", pipeline: "p" }, big)).rejects.toThrow(
      "disk full",
    );
    expect(calls).toBe(2);
    expect((await store.list()).map((c) => c.id)).toEqual([1]);
    expect(await rawRows()).toEqual(before);
  });

  it("keeps the parent chains of retained checkpoints; materialize swaps a delta for its full state", async () => {
    const store = hbaseCheckpointStore(conn, { job: "j", retain: 2, chunkBytes: 4 });
    expect(store.keepsChains).toBe(true);
    await store.write({ id: 1, kind: "checkpoint", pipeline: "p" }, bytes(1, 1, 1, 1, 1));
    await store.write({ id: 2, kind: "checkpoint", pipeline: "p", parent: 1, base: 1 }, bytes(2));
    await store.write({ id: 3, kind: "checkpoint", pipeline: "p", parent: 2, base: 1 }, bytes(3));
    await store.write({ id: 4, kind: "checkpoint", pipeline: "p", parent: 3, base: 1 }, bytes(4));
    // Retain 2 (3 and 4), and what their chain needs: 2 and 1.
    expect((await store.list()).map((c) => c.id)).toEqual([1, 2, 3, 4]);

    const delta = (await store.list()).find((c) => c.id === 3)!;
    const full = await store.materialize!(delta, bytes(3, 3, 3, 3, 3, 3));
    expect(full).toEqual({ id: 3, kind: "checkpoint", pipeline: "p", completedAt: delta.completedAt, bytes: 6 });
    // 3 is a base now: 1 and 2 are no longer needed.
    const list = await store.list();
    expect(list.map((c) => c.id)).toEqual([3, 4]);
    expect(list[0]).toEqual(full);
    expect(await store.read(list[0]!)).toEqual(bytes(3, 3, 3, 3, 3, 3));
    expect(await store.read(delta)).toEqual(bytes(3, 3, 3, 3, 3, 3)); // the info of the delta finds the base
    expect((await rowShapes("j")).filter((r) => r.startsWith("j/m/"))).toEqual(["j/m/0000000000000003/T c:meta", "j/m/0000000000000004/T c:meta"]);
    expect((await rowShapes("j")).filter((r) => r.includes("/d/0000000000000003/"))).toHaveLength(2); // 6 bytes in chunks of 4

    // Not an incremental checkpoint (any more), or not stored: refused, nothing changed.
    await expect(store.materialize!(delta, bytes(9))).rejects.toThrow("checkpoint 3 is no longer stored as that incremental checkpoint in table default:sluice_checkpoints (job j)");
    await expect(store.materialize!(full, bytes(9))).rejects.toThrow("checkpoint 3 is not an incremental checkpoint: nothing to materialise");
    await expect(store.materialize!({ ...delta, id: 9 }, bytes(9))).rejects.toThrow("checkpoint 9 is no longer stored");
    expect(await store.read(full)).toEqual(bytes(3, 3, 3, 3, 3, 3));
    expect((await store.list()).map((c) => c.id)).toEqual([3, 4]);
  });

  it("a crash between a materialisation's commit and the delta's removal leaves both writes: the full one counts", async () => {
    const store = hbaseCheckpointStore(conn, { job: "j", retain: 3, chunkBytes: 4 });
    await store.write({ id: 1, kind: "checkpoint", pipeline: "p" }, bytes(1));
    await store.write({ id: 2, kind: "checkpoint", pipeline: "p", parent: 1, base: 1 }, bytes(2, 2));
    // A crash right after the full write's commit marker: the table fails every delete from then on.
    let crashed = false;
    const failing = new Proxy(conn.table(TABLE), {
      get(target, name, receiver) {
        if (name === "delete" && crashed) return () => Promise.reject(new Error("the process died"));
        const value: unknown = Reflect.get(target, name, receiver);
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const dying = hbaseCheckpointStore(failing, { job: "j", retain: 3, chunkBytes: 4 });
    const delta = (await dying.list()).find((c) => c.id === 2)!;
    crashed = true;
    await expect(dying.materialize!(delta, bytes(7, 7, 7))).rejects.toThrow("the process died");
    expect((await rowShapes("j")).filter((r) => r.startsWith("j/m/0000000000000002/"))).toHaveLength(2);

    const fresh = hbaseCheckpointStore(conn, { job: "j", retain: 3, chunkBytes: 4 });
    const list = await fresh.list();
    expect(list.map((c) => [c.id, c.parent])).toEqual([[1, undefined], [2, undefined]]);
    expect(await fresh.read(list[1]!)).toEqual(bytes(7, 7, 7));
    expect(await fresh.read(delta)).toEqual(bytes(7, 7, 7));
    // The next write's cleanup removes the superseded delta (and checkpoint 1, no longer needed by a chain).
    await fresh.write({ id: 3, kind: "checkpoint", pipeline: "p", parent: 2, base: 2 }, bytes(3));
    expect((await rowShapes("j")).filter((r) => r.startsWith("j/m/"))).toEqual([
      "j/m/0000000000000001/T c:meta",
      "j/m/0000000000000002/T c:meta",
      "j/m/0000000000000003/T c:meta",
    ]);
    expect(await fresh.read((await fresh.list())[1]!)).toEqual(bytes(7, 7, 7));
  });

  it("holds the checkpoints of a job restored after cancel: its results equal a run without failure", async () => {
    const reference = collect<string>();
    await startJob(pipeline().to(reference).plan(), { batchSize: 100 }, clock()).done;
    expect(reference.records.length).toBeGreaterThan(100);

    const storage = () => hbaseCheckpointStore(conn, { job: "bids", chunkBytes: 4096 });
    const first: string[] = [];
    const flushedAt: number[] = [];
    const sink = { description: "recording", write: (rs: readonly string[]) => void first.push(...rs), flush: () => void flushedAt.push(first.length) };
    const job1 = startJob(pipeline().to(sink).plan(), { batchSize: 100, checkpoint: { every: 50, storage: storage() } }, clock());
    while (first.length < 200 && job1.status === "running") await new Promise((r) => setTimeout(r, 1));
    const target = job1.metrics().lastCheckpoint!.id + 1;
    while ((job1.metrics().lastCheckpoint?.id ?? 0) < target && job1.status === "running") await new Promise((r) => setTimeout(r, 1));
    await job1.cancel();
    expect(job1.status).toBe("cancelled");
    const beforeCheckpoint = first.slice(0, flushedAt.at(-1));
    expect(beforeCheckpoint.length).toBeGreaterThan(0);
    const stored = await storage().list();
    expect(stored.length).toBeGreaterThan(0);
    // Incremental checkpoints (the store keeps chains): the newest 3 are retained, with their parents.
    expect(stored.some((c) => c.parent !== undefined)).toBe(true);
    const byId = new Map(stored.map((c) => [c.id, c]));
    const needed = new Set<number>();
    for (const c of stored.slice(-3)) for (let id: number | undefined = c.id; id !== undefined; id = byId.get(id)?.parent) needed.add(id);
    expect(stored.map((c) => c.id)).toEqual([...needed].sort((a, b) => a - b));
    expect(stored.at(-1)!.bytes).toBeGreaterThan(4096); // more than one chunk

    const second = collect<string>();
    const job2 = startJob(pipeline().to(second).plan(), { batchSize: 100, checkpoint: { every: 50, storage: storage() }, restore: "latest" }, clock());
    await job2.done;
    expect(job2.status).toBe("finished");
    expect(second.records.length).toBeLessThan(reference.records.length);
    expect([...beforeCheckpoint, ...second.records].sort()).toEqual([...reference.records].sort());
  });
});

const generator = { seed: 7, maxEvents: 6_000, eventsPerSecond: 1_000 };
const bids = () =>
  from(nexmark(generator))
    .filter((e): e is Bid => e.kind === "bid")
    .withTimestamps((b) => b.dateTime, { outOfOrderness: 4_000 });

/** Windowed counts per auction, and sessions per bidder (as rule 15 of test/unit/stream-checkpoint.test.ts). */
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

// -------------------------------------------------------------------------------------------------

interface ChildRun {
  lines: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
  /** Resolves when a line matching `test` arrives (or the child exits: then false). */
  waitFor(test: (line: string) => boolean): Promise<boolean>;
  stderr(): string;
}

function runChild(args: string[]): ChildRun {
  const child = spawn(process.execPath, [CHECKPOINT_WRITER, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let err = "";
  let buffer = "";
  const waiters: { test: (line: string) => boolean; resolve: (hit: boolean) => void }[] = [];
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.test(line)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(true));
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      for (const w of waiters.splice(0)) w.resolve(false);
      resolve({ code, signal });
    }),
  );
  return {
    lines,
    exit,
    kill: () => child.kill("SIGKILL"),
    waitFor: (test) => new Promise((resolve) => waiters.push({ test, resolve })),
    stderr: () => err,
  };
}

describe("a writer killed with SIGKILL in the middle of a large checkpoint", () => {
  it("leaves only complete checkpoints, and the next write works", async () => {
    connOpen = false;
    await conn.close(); // the child opens the store: one process at a time
    await ensureSluiceBuilt();
    // The child runs the current source of the store (transpiled, its relative imports resolved in the
    // build) with the built embedded store, so the test does not depend on when dist/ was built.
    const source = await readFile(path.join(REPO_ROOT, "src", "connectors", "hbase-checkpoint-store.ts"), "utf8");
    const transpiled = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
    const built = (specifier: string) => pathToFileURL(path.join(REPO_ROOT, "dist", "connectors", specifier)).href;
    const storeModule = path.join(dir, "hbase-checkpoint-store.mjs");
    await writeFile(storeModule, transpiled.outputText.replace(/from "(\.\.?\/[^"]+)"/g, (_, specifier: string) => `from ${JSON.stringify(built(specifier))}`));
    const { connect: connectBuilt } = (await import(pathToFileURL(path.join(REPO_ROOT, "dist", "hbase", "connect.js")).href)) as { connect: typeof connect };
    const { hbaseCheckpointStore: builtStore } = (await import(pathToFileURL(storeModule).href)) as { hbaseCheckpointStore: typeof hbaseCheckpointStore };

    const hbaseDir = path.join(dir, "hbase");
    const STATE_BYTES = 20 * 1024 * 1024; // three putMany calls of at most 8 MiB
    const CHUNK_BYTES = 1024 * 1024;
    const PARENT_BYTES = 3 * CHUNK_BYTES + 5;
    let nextId = 1;
    let midWriteKills = 0;
    for (let round = 0; round < 8 && midWriteKills < 2; round++) {
      const run = runChild([hbaseDir, storeModule, "big", String(nextId), String(STATE_BYTES), String(CHUNK_BYTES)]);
      // Kill once the child has committed a checkpoint and stored the first chunks of the next one.
      const firstCommit = `committed ${nextId}`;
      const started = await run.waitFor((line) => line === firstCommit);
      expect(started, `the writer ended early: ${run.lines.join(" | ")}\n${run.stderr()}`).toBe(true);
      await run.waitFor((line) => line.startsWith(`data ${nextId + 1} `));
      run.kill();
      const { signal } = await run.exit;
      expect(signal, `the writer ended on its own: ${run.lines.join(" | ")}\n${run.stderr()}`).toBe("SIGKILL");
      const acked = run.lines.filter((l) => l.startsWith("committed ")).map((l) => Number(l.split(" ")[1]));
      const inFlight = Math.max(...acked) + 1;

      const built = await connectBuilt({ path: hbaseDir });
      try {
        const store = builtStore(built, { job: "big", retain: 2, chunkBytes: CHUNK_BYTES });
        const listed = (await store.list()).map((c) => c.id);
        // Acknowledged checkpoints are there (the newest two retained); the one in flight is not.
        expect(listed).toEqual(expect.arrayContaining(acked.slice(-2)));
        expect(listed.every((id) => id <= inFlight)).toBe(true);
        for (const info of await store.list()) {
          // Written by a child (STATE_BYTES) or by this test after the previous round (PARENT_BYTES).
          expect([STATE_BYTES, PARENT_BYTES]).toContain(info.bytes);
          expect(Buffer.compare(await store.read(info), checkpointState(info.id, info.bytes))).toBe(0);
        }
        if (!listed.includes(inFlight)) {
          // It was killed mid-write: the intent and some chunk rows of the write are in the table.
          const rows = await rowShapes("big", built);
          expect(rows).toContain(`big/m/${String(inFlight).padStart(16, "0")}/T c:pending`);
          expect(rows.some((r) => r.startsWith(`big/d/${String(inFlight).padStart(16, "0")}/`))).toBe(true);
          midWriteKills++;
        }
        // The next write (as a restored job numbers it) works and cleans up what the crash left.
        nextId = Math.max(...listed) + 1;
        const state = checkpointState(nextId, PARENT_BYTES);
        const info = await store.write({ id: nextId, kind: "checkpoint", pipeline: "writer" }, state);
        expect(Buffer.compare(await store.read(info), state)).toBe(0);
        const after = (await store.list()).map((c) => c.id);
        expect(after.at(-1)).toBe(nextId);
        const rows = await rowShapes("big", built);
        expect(rows.filter((r) => r.includes("c:pending"))).toEqual([]);
        const slots = new Set(rows.filter((r) => r.includes("/d/")).map((r) => r.split("/")[2]));
        expect([...slots].map(Number).sort((a, b) => a - b)).toEqual(after);
        nextId++;
      } finally {
        await built.close();
      }
    }
    expect(midWriteKills).toBe(2);
  }, 300_000);
});
