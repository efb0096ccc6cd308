/**
 * The embedded store's scan, read in batches (`scan()`'s iterator with `next()` and `nextBatch()`,
 * read by the storage engine a `nextv` at a time), against the per-row read path (`getMany` of every row, which reads
 * each row on its own): random tables over three regions with several versions, TTLs, every delete
 * kind, escaped row bytes, read with columns, time ranges, versions, stateless filters, bounds,
 * reversed and limits, in batch sizes from 1 to 1000 — the same rows in the same order; a page filter
 * and a limit give the same rows whatever the batch size; and the local endpoint's RegionScanner takes
 * the batches as they come (uneven and empty batches, one row read ahead, close).
 */
import { describe, expect, it } from "vitest";
import type { Connection, Delete, ScanOptions, Table } from "../../src/hbase/table.js";
import type { Result } from "../../src/hbase/result.js";
import type { RowResult } from "../../src/hbase/model/row-result.js";
import { RegionScanner, tableScanner } from "../../src/hbase/local-endpoint/region-scanner.js";
import { tempStores } from "./hbase-embedded-support.js";
import { seededRandom } from "../support/seeded-random.mjs";

const enc = new TextEncoder();
const open = tempStores();

const NOW = Date.now();
/** Row keys: some with 0x00 bytes (escaped in LevelDB keys), some prefixes of others. */
function rowKey(i: number): Uint8Array {
  const base = enc.encode(`r${String(i).padStart(3, "0")}`);
  if (i % 7 === 0) return Uint8Array.from([...base, 0, i & 0xff]);
  if (i % 11 === 0) return base.subarray(0, 3);
  return base;
}

/** A table of `n` random rows written with puts and deletes of every kind; returns its row keys. */
async function randomTable(store: Connection, name: string, seed: number, n: number): Promise<{ table: Table; rows: Uint8Array[] }> {
  const random = seededRandom(seed);
  await store.admin.createTable(name, {
    families: [{ name: "d", maxVersions: 3 }, { name: "t", ttlMs: 60 * 60 * 1000, minVersions: 1, maxVersions: 2 }, "e"],
    splitKeys: ["r030", "r060"],
  });
  const table = store.table(name);
  const rows = new Map<string, Uint8Array>();
  for (let i = 0; i < n; i++) {
    const row = rowKey(Math.floor(random() * 100));
    rows.set([...row].join(","), row);
    const cells = [];
    const count = 1 + Math.floor(random() * 5);
    for (let c = 0; c < count; c++) {
      const family = ["d", "t", "e"][Math.floor(random() * 3)]!;
      const qualifier = `q${Math.floor(random() * 4)}`;
      // some cells hours old: past the TTL of family t
      const timestamp = NOW - Math.floor(random() * 10) * (random() < 0.3 ? 3_600_000 : 1000);
      cells.push({ family, qualifier, value: `v${i}-${c}`, timestamp });
    }
    await table.put({ row, cells });
    if (random() < 0.25) {
      const kind = Math.floor(random() * 4);
      const ts = NOW - Math.floor(random() * 5) * 1000;
      const del: Delete =
        kind === 0
          ? { row, timestamp: ts }
          : kind === 1
            ? { row, family: "d", timestamp: ts }
            : kind === 2
              ? { row, family: "d", qualifier: "q1", timestamp: ts }
              : { row, family: "t", qualifier: "q0", allVersions: false };
      await table.delete(del);
    }
  }
  const sorted = [...rows.values()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return { table, rows: sorted };
}

function shape(rows: readonly RowResult[]) {
  return rows.map((r) => ({
    row: Buffer.from(r.row).toString("hex"),
    cells: r.cells.map((c) => `${Buffer.from(c.family).toString()}:${Buffer.from(c.qualifier).toString()}@${c.timestamp}=${Buffer.from(c.value).toString()}`),
  }));
}

async function viaNext(table: Table, options: ScanOptions): Promise<Result[]> {
  const out: Result[] = [];
  for await (const r of table.scan(options)) out.push(r);
  return out;
}

interface Batched extends AsyncIterator<Result> {
  nextBatch(): Promise<IteratorResult<readonly Result[], undefined>>;
}

async function viaBatches(table: Table, options: ScanOptions, mixed: boolean): Promise<Result[]> {
  const it = table.scan(options)[Symbol.asyncIterator]() as Batched;
  expect(typeof it.nextBatch).toBe("function");
  const out: Result[] = [];
  for (let turn = 0; ; turn++) {
    if (mixed && turn % 2 === 1) {
      const step = await it.next();
      if (step.done === true) break;
      out.push(step.value);
    } else {
      const step = await it.nextBatch();
      if (step.done === true) break;
      expect(step.value.length).toBeGreaterThan(0);
      out.push(...step.value);
    }
  }
  return out;
}

/** The rows `options` select, read one by one with getMany (bounds and limit applied here). */
async function expected(table: Table, rows: readonly Uint8Array[], options: ScanOptions): Promise<RowResult[]> {
  const { startRow, stopRow, reversed, limit, batchSize: _b, includeStartRow: _s, includeStopRow: _t, ...read } = options;
  const cmp = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const start = startRow === undefined ? undefined : typeof startRow === "string" ? enc.encode(startRow) : startRow;
  const stop = stopRow === undefined ? undefined : typeof stopRow === "string" ? enc.encode(stopRow) : stopRow;
  const inRange = rows.filter((r) =>
    reversed
      ? (start === undefined || cmp(r, start) <= 0) && (stop === undefined || cmp(r, stop) > 0)
      : (start === undefined || cmp(r, start) >= 0) && (stop === undefined || cmp(r, stop) < 0),
  );
  const ordered = reversed ? inRange.reverse() : inRange;
  const results = (await table.getMany(ordered, read)).filter((r): r is Result => r !== undefined);
  return limit === undefined ? results : results.slice(0, limit);
}

const READS: ScanOptions[] = [
  {},
  { columns: ["d"] },
  { columns: ["d:q1", "t:q0", "e"] },
  { maxVersions: 3 },
  { maxVersions: 2, timeRange: { min: NOW - 4000, max: NOW - 1000 } },
  { filter: { type: "value", op: "notEqual", comparator: { type: "substring", value: "-0" } } },
  { filter: { type: "columnPrefix", prefix: "q2" }, maxVersions: 2 },
  { startRow: "r020", stopRow: "r075" },
  { startRow: "r070", stopRow: "r010", reversed: true },
  { reversed: true, maxVersions: 3 },
  { limit: 17 },
  { reversed: true, limit: 5, columns: ["t"] },
];

describe("the embedded store's scan in batches", () => {
  it("gives the rows getMany gives, in every batch size, through next() and nextBatch()", async () => {
    const store = await open();
    for (const seed of [1, 2, 3]) {
      const { table, rows } = await randomTable(store, `t${seed}`, seed, 260);
      for (const read of READS) {
        const want = shape(await expected(table, rows, read));
        expect(want.length).toBeGreaterThan(0);
        for (const batchSize of [1, 2, 5, 64, 1000]) {
          const options = { ...read, batchSize };
          const label = JSON.stringify({ seed, options });
          expect(shape(await viaNext(table, options)), label).toEqual(want);
          expect(shape(await viaBatches(table, options, false)), label).toEqual(want);
          expect(shape(await viaBatches(table, options, true)), label).toEqual(want);
        }
      }
    }
  });

  it("a page filter and a limit give the same rows whatever the batch size", async () => {
    const store = await open();
    const { table } = await randomTable(store, "p", 9, 200);
    for (const read of [{ filter: { type: "page", pageSize: 7 } }, { filter: { type: "page", pageSize: 3 }, reversed: true }, { limit: 40, reversed: true }] as ScanOptions[]) {
      const reference = shape(await viaNext(table, { ...read, batchSize: 1000 }));
      expect(reference.length).toBeGreaterThan(0);
      for (const batchSize of [1, 3, 100]) {
        expect(shape(await viaBatches(table, { ...read, batchSize }, false))).toEqual(reference);
        expect(shape(await viaNext(table, { ...read, batchSize }))).toEqual(reference);
      }
    }
  });

  it("a scan stopped early releases its iterator (the store closes at once), and sees one snapshot", async () => {
    const store = await open();
    await store.admin.createTable("s", { families: ["d"] });
    const table = store.table("s");
    await table.putMany(Array.from({ length: 300 }, (_, i) => ({ row: `r${String(i).padStart(4, "0")}`, cells: [{ family: "d", qualifier: "q", value: "old" }] })));
    const it = table.scan({ batchSize: 10 })[Symbol.asyncIterator]() as Batched;
    const first = await it.nextBatch();
    expect(first.done).toBe(false);
    // written after the scan started: not seen by it
    await table.putMany(Array.from({ length: 300 }, (_, i) => ({ row: `r${String(i).padStart(4, "0")}`, cells: [{ family: "d", qualifier: "q", value: "new" }] })));
    const seen = [...(first.value ?? [])];
    for (;;) {
      const step = await it.next();
      if (step.done === true) break;
      seen.push(step.value);
    }
    expect(seen.length).toBe(300);
    expect(new Set(seen.map((r) => r.get("d:q", "string")))).toEqual(new Set(["old"]));
    const stopped = table.scan({ batchSize: 10 })[Symbol.asyncIterator]() as Batched;
    await stopped.nextBatch();
    await stopped.return?.();
    expect((await stopped.next()).done).toBe(true);
    expect((await stopped.nextBatch()).done).toBe(true);
  });
});

describe("RegionScanner over batches", () => {
  const row = (i: number): RowResult => ({ row: Uint8Array.of(i), cells: [] });
  function source(batches: number[][]): { iterator: AsyncIterator<readonly RowResult[]>; closed: () => boolean } {
    let i = 0;
    let closed = false;
    return {
      iterator: {
        next: async () => (i < batches.length ? { value: batches[i++]!.map(row), done: false } : { value: undefined, done: true }),
        return: async () => {
          closed = true;
          return { value: undefined, done: true };
        },
      },
      closed: () => closed,
    };
  }

  it("answers n rows a call across uneven and empty batches, knowing when the region is exhausted", async () => {
    const s = source([[1, 2, 3], [], [4], [5, 6, 7, 8, 9], [], [10]]);
    const scanner = new RegionScanner(s.iterator, true);
    const got: { rows: number[]; exhausted: boolean }[] = [];
    for (const n of [2, 2, 4, 1, 5]) {
      const batch = await scanner.next(n);
      got.push({ rows: batch.rows.map((r) => r.row[0]!), exhausted: batch.exhausted });
    }
    expect(got).toEqual([
      { rows: [1, 2], exhausted: false },
      { rows: [3, 4], exhausted: false },
      { rows: [5, 6, 7, 8], exhausted: false },
      { rows: [9], exhausted: false },
      { rows: [10], exhausted: true },
    ]);
    expect((await scanner.next(3)).rows).toEqual([]);
  });

  it("a call taking exactly the rows left says exhausted at once; close releases the source", async () => {
    const s = source([[1, 2], [3]]);
    const scanner = new RegionScanner(s.iterator, false);
    expect(await scanner.next(3).then((b) => [b.rows.length, b.exhausted])).toEqual([3, true]);
    const t = source([[1, 2], [3]]);
    const open = new RegionScanner(t.iterator, false);
    expect((await open.next(1)).exhausted).toBe(false);
    await open.close();
    expect(t.closed()).toBe(true);
    expect(open.exhausted).toBe(true);
  });

  it("takes an embedded scan a batch at a time, the same rows as the scan itself", async () => {
    const store = await open();
    const { table } = await randomTable(store, "r", 4, 150);
    const want = shape(await viaNext(table, { batchSize: 1000 }));
    for (const [batchSize, n] of [[100, 7], [100, 250], [1, 3]] as const) {
      const scanner = tableScanner(table, { batchSize }, true);
      const rows: RowResult[] = [];
      for (;;) {
        const batch = await scanner.next(n);
        rows.push(...batch.rows);
        if (batch.exhausted) break;
        expect(batch.rows.length).toBe(n);
      }
      expect(shape(rows)).toEqual(want);
      await scanner.close();
    }
  });
});
