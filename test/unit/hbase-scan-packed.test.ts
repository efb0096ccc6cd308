/**
 * The scan fast path: the embedded store's rows packed as columns (`PackedRowAssembler`, no object per
 * cell; `keepVisiblePuts` for rows without delete markers) against the general path (`ScanAssembler`'s
 * decoded entries through `readRow`) on random stored entries — several versions, TTLs, every delete
 * marker kind, a family the table no longer has, escaped bytes, read with columns, time ranges and
 * versions, forward and reversed, cut into random `nextv` chunks and batches, with limits; the
 * ScanResponse encoded straight from packed runs (`ScanResultRuns`: whole, sliced, mixed with arrays of
 * rows) against the per-row encoding and protobufjs; and the local endpoint's scanner over a real
 * store answering n rows a call with packed runs, decoded by the wire client's decoder.
 */
import { describe, expect, it } from "vitest";
import type { Cell, CellType } from "../../src/hbase/model/cell.js";
import type { FamilyDescriptor } from "../../src/hbase/model/table-descriptor.js";
import type { RowResult } from "../../src/hbase/model/row-result.js";
import { decodeCellKey, encodeCellKey, rowKeyPrefix } from "../../src/hbase/backends/embedded/key-codec.js";
import { binaryKey, readRow, type ReadPlan } from "../../src/hbase/backends/embedded/row-reader.js";
import { PackedRowAssembler, PackedRows } from "../../src/hbase/backends/embedded/packed-rows.js";
import { ScanAssembler, scanBatcher } from "../../src/hbase/backends/embedded/scan-assembler.js";
import { hbaseProtoRoot, pb, type Result as WireResult, type ScanResponse } from "../../src/hbase/wire/hbase-protos.js";
import { RowCellsResult, ScanResultRuns, type ResultRun } from "../../src/hbase/wire/result-codecs.js";
import { ScanRowsDecoder } from "../../src/hbase/backends/wire/wire-codec.js";
import { decodeScanResponseWith } from "../../src/hbase/wire/result-codecs.js";
import { tableScanner } from "../../src/hbase/local-endpoint/region-scanner.js";
import { tempStores } from "./hbase-embedded-support.js";
import { seededRandom } from "../support/seeded-random.mjs";

const enc = new TextEncoder();
const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;

const FAMILIES: ReadonlyMap<string, FamilyDescriptor> = new Map([
  ["d", { name: "d", maxVersions: 3, minVersions: 0, ttlMs: Infinity }],
  ["t", { name: "t", maxVersions: 2, minVersions: 1, ttlMs: HOUR }],
  ["e", { name: "e", maxVersions: 1, minVersions: 0, ttlMs: Infinity }],
  ["w", { name: "w", maxVersions: 5, minVersions: 2, ttlMs: 10 * 1000 }],
]);
/** Families stored: "x" is one the table no longer has (its entries are never read). */
const STORED_FAMILIES = ["d", "t", "e", "w", "x"];
const QUALIFIERS = [enc.encode("q0"), enc.encode("q1"), enc.encode("q2"), new Uint8Array(0), Uint8Array.of(0x71, 0, 0x31)];
const TYPES: readonly CellType[] = ["put", "put", "put", "put", "put", "put", "delete", "deleteColumn", "deleteFamily", "deleteFamilyVersion"];

type Pair = [Uint8Array, Uint8Array];

/** Row keys: some with 0x00 bytes (escaped in stored keys), some prefixes of others. */
function rowKey(i: number): Uint8Array {
  const base = enc.encode(`r${String(i).padStart(3, "0")}`);
  if (i % 7 === 0) return Uint8Array.from([...base, 0, i & 0xff]);
  if (i % 11 === 0) return base.subarray(0, 3);
  return base;
}

/** Random stored entries of table 9, in key order (one entry per key). */
function randomEntries(random: () => number, count: number, markers: boolean): Pair[] {
  const byKey = new Map<string, Pair>();
  const rows = 1 + Math.floor(random() * 40);
  for (let i = 0; i < count; i++) {
    const row = rowKey(Math.floor(random() * rows));
    const family = enc.encode(STORED_FAMILIES[Math.floor(random() * STORED_FAMILIES.length)]!);
    const type = markers ? TYPES[Math.floor(random() * TYPES.length)]! : "put";
    const qualifier = type === "deleteFamily" || type === "deleteFamilyVersion" ? new Uint8Array(0) : QUALIFIERS[Math.floor(random() * QUALIFIERS.length)]!;
    const age = random() < 0.3 ? Math.floor(random() * 3) * HOUR : Math.floor(random() * 20) * 1000;
    const timestamp = NOW - age + (random() < 0.05 ? 5000 : 0);
    const key = encodeCellKey(9, row, family, qualifier, timestamp, type);
    const value = type === "put" ? enc.encode(`v${i}`) : new Uint8Array(0);
    byKey.set(Buffer.from(key).toString("latin1"), [key.slice(), value]);
  }
  return [...byKey.values()].sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
}

function randomPlan(random: () => number): ReadPlan {
  let columns: Map<string, Set<string> | undefined> | undefined;
  if (random() < 0.4) {
    columns = new Map();
    for (const f of ["d", "t", "e", "w"]) {
      if (random() < 0.5) continue;
      if (random() < 0.5) columns.set(f, undefined);
      else columns.set(f, new Set(QUALIFIERS.filter(() => random() < 0.5).map((q) => binaryKey(q))));
    }
  }
  const minTime = random() < 0.3 ? NOW - Math.floor(random() * 15) * 1000 : 0;
  const maxTime = random() < 0.3 ? NOW - Math.floor(random() * 10) * 1000 : Infinity;
  const maxVersions = random() < 0.5 ? 1 : 1 + Math.floor(random() * 4);
  return { columns, minTime: Math.min(minTime, maxTime), maxTime, maxVersions };
}

/** What the general path makes of the entries: each row's entries decoded and read by `readRow`. */
function reference(pairs: readonly Pair[], plan: ReadPlan, reversed: boolean): RowResult[] {
  const out: RowResult[] = [];
  let group: { row: Uint8Array; prefix: string; pairs: Pair[] } | undefined;
  const flush = () => {
    if (group === undefined) return;
    const cells = readRow(group.pairs.map(([key, value]) => ({ key: decodeCellKey(key), value })), FAMILIES, plan, NOW);
    if (cells.length > 0) out.push({ row: group.row, cells });
  };
  for (const pair of pairs) {
    const row = decodeCellKey(pair[0]).row;
    const prefix = Buffer.from(rowKeyPrefix(9, row)).toString("latin1");
    if (group === undefined || group.prefix !== prefix) {
      flush();
      group = { row, prefix, pairs: [] };
    }
    group.pairs.push(pair);
  }
  flush();
  return reversed ? out.reverse() : out;
}

/** Rows and cells as plain data (for toEqual). */
function shape(rows: readonly RowResult[]): unknown[] {
  return rows.map((r) => ({
    row: [...r.row],
    cells: r.cells.map((c: Cell) => [[...c.family].join("."), [...c.qualifier].join("."), c.timestamp, c.type, Buffer.from(c.value).toString()]),
  }));
}

/** `pairs` (in iteration order) cut into random chunks, as `nextv` returns them. */
function chunks(random: () => number, pairs: readonly Pair[]): Pair[][] {
  const out: Pair[][] = [];
  for (let i = 0; i < pairs.length; ) {
    const n = 1 + Math.floor(random() * (random() < 0.5 ? 3 : 40));
    out.push(pairs.slice(i, i + n));
    i += n;
  }
  return out;
}

describe("PackedRowAssembler", () => {
  it("makes the rows readRow makes of the same entries: forward and reversed, any chunks, batches and limits", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const random = seededRandom(seed);
      const markers = random() < 0.7;
      const pairs = randomEntries(random, 1 + Math.floor(random() * 120), markers);
      const plan = randomPlan(random);
      const reversed = random() < 0.4;
      const ordered = reversed ? pairs.slice().reverse() : pairs;
      const want = reference(pairs, plan, reversed);
      const assembler = new PackedRowAssembler(reversed, FAMILIES, plan);
      assembler.setNow(NOW);
      const got: RowResult[] = [];
      const batchSize = 1 + Math.floor(random() * 10);
      for (const chunk of chunks(random, ordered)) {
        assembler.add(chunk);
        if (assembler.length >= batchSize) {
          const batch = assembler.take(Infinity);
          expect(batch).toBeInstanceOf(PackedRows);
          got.push(...batch.toRows());
        }
      }
      assembler.end();
      got.push(...assembler.take(Infinity).toRows());
      expect(shape(got), `seed ${seed}`).toEqual(shape(want));
      // the same through the general path's assembler (what scans with a filter use)
      const general: RowResult[] = [];
      const scan = new ScanAssembler(reversed);
      const sink = (row: Uint8Array, entries: Parameters<typeof readRow>[0]) => {
        const cells = readRow(entries, FAMILIES, plan, NOW);
        if (cells.length > 0) general.push({ row, cells });
      };
      for (const chunk of chunks(random, ordered)) scan.add(chunk, sink);
      scan.end(sink);
      expect(shape(general), `seed ${seed}`).toEqual(shape(want));
    }
  });

  it("take(max) hands out at most max rows, whole, and later rows start a new batch", () => {
    for (let seed = 500; seed < 600; seed++) {
      const random = seededRandom(seed);
      const pairs = randomEntries(random, 80, random() < 0.5);
      const plan: ReadPlan = { columns: undefined, minTime: 0, maxTime: Infinity, maxVersions: 1 };
      const want = reference(pairs, plan, false);
      const assembler = new PackedRowAssembler(false, FAMILIES, plan);
      assembler.setNow(NOW);
      const cut = Math.floor(random() * pairs.length);
      assembler.add(pairs.slice(0, cut));
      const complete = assembler.length;
      const max = Math.floor(random() * (complete + 2));
      const first = assembler.take(max).toRows();
      expect(first.length).toBe(Math.min(max, complete));
      expect(shape(first)).toEqual(shape(want.slice(0, first.length)));
      // the rows past max were dropped (a scan's limit ends it); the open row goes on in the next batch
      assembler.add(pairs.slice(cut));
      assembler.end();
      const rest = assembler.take(Infinity).toRows();
      expect(shape(rest)).toEqual(shape(want.slice(complete)));
    }
  });

  it("shares family and qualifier arrays between equal cells, and slices share the columns", () => {
    const random = seededRandom(7);
    const pairs = randomEntries(random, 200, false);
    const assembler = new PackedRowAssembler(false, FAMILIES, { columns: undefined, minTime: 0, maxTime: Infinity, maxVersions: 3 });
    assembler.add(pairs);
    assembler.end();
    const packed = assembler.take(Infinity);
    expect(new Set(packed.families.slice(0, packed.cellEnds[packed.length - 1])).size).toBeLessThanOrEqual(8);
    const part = packed.slice(2, 5);
    expect(part.length).toBe(Math.min(3, Math.max(0, packed.length - 2)));
    expect(part.families).toBe(packed.families);
    expect(shape(part.toRows())).toEqual(shape(packed.toRows().slice(2, 5)));
    expect(packed.slice(4, 2).length).toBe(0);
  });

  it("scanBatcher packs rows without a filter and gives Results through the filter run with one", () => {
    const plan: ReadPlan = { columns: undefined, minTime: 0, maxTime: Infinity, maxVersions: 1 };
    expect(scanBatcher(false, FAMILIES, plan, undefined).take(10)).toBeInstanceOf(PackedRows);
    const run = { filterRow: (cells: readonly Cell[]) => cells.slice(0, 1), done: () => false } as unknown as Parameters<typeof scanBatcher>[3];
    const batcher = scanBatcher(false, FAMILIES, plan, run);
    batcher.setNow(NOW);
    batcher.add(randomEntries(seededRandom(3), 50, false));
    batcher.end();
    const rows = batcher.take(Infinity);
    expect(Array.isArray(rows)).toBe(true);
    for (const r of rows as RowResult[]) expect(r.cells).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------

function theirBytes(value: ScanResponse): Uint8Array {
  const t = hbaseProtoRoot().lookupType("ScanResponse");
  const obj = { ...value, scanner_id: value.scanner_id?.toString(), results: value.results?.map((r) => ({ cell: (r.cell ?? []).map((c) => ({ ...c, timestamp: String(c.timestamp) })) })) };
  return t.encode(t.fromObject(obj)).finish();
}

function response(results: WireResult[]): ScanResponse {
  return { scanner_id: 42n, results, more_results: true, more_results_in_region: true, ttl: 60000 };
}

describe("ScanResultRuns", () => {
  it("encodes packed runs (whole, sliced, mixed with arrays of rows) to the bytes of the rows' Results one by one", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed);
      const assembler = new PackedRowAssembler(random() < 0.5, FAMILIES, randomPlan(random));
      assembler.setNow(NOW);
      const pairs = randomEntries(random, Math.floor(random() * 150), random() < 0.5);
      assembler.add(random() < 0.5 ? pairs : pairs.slice().reverse());
      assembler.end();
      const packed = assembler.take(Infinity);
      const runs: ResultRun[] = [];
      const rows: RowResult[] = [];
      for (let at = 0; at < packed.length; ) {
        const n = 1 + Math.floor(random() * 6);
        const part = packed.slice(at, at + n);
        if (random() < 0.3) {
          const asRows = part.toRows();
          runs.push(asRows);
          rows.push(...asRows);
        } else {
          runs.push(part);
          rows.push(...part.toRows());
        }
        at += n;
      }
      if (random() < 0.2) runs.push(packed.slice(0, 0));
      const ours = pb.ScanResponse.encode(response(new ScanResultRuns(runs) as unknown as WireResult[]));
      const perRow = response(rows.map((r) => new RowCellsResult(r) as unknown as WireResult));
      expect(Buffer.from(ours), `seed ${seed}`).toEqual(Buffer.from(pb.ScanResponse.encode(perRow)));
      const plain = response(rows.map((r) => ({ cell: (new RowCellsResult(r) as unknown as WireResult).cell })));
      expect(Buffer.from(ours), `seed ${seed}`).toEqual(Buffer.from(theirBytes(plain)));
      expect(new ScanResultRuns(runs).length).toBe(rows.length);
    }
  });

  it("an empty list of runs is a response without results", () => {
    const bytes = pb.ScanResponse.encode(response(new ScanResultRuns([]) as unknown as WireResult[]));
    expect(Buffer.from(bytes)).toEqual(Buffer.from(pb.ScanResponse.encode(response([]))));
  });
});

// ---------------------------------------------------------------------------------------------------

const open = tempStores();

describe("the endpoint's scanner over packed runs", () => {
  it("answers n rows a call that decode to the rows of the store's scan (forward, reversed, with deletes and versions)", async () => {
    const store = await open();
    await store.admin.createTable("p", { families: [{ name: "d", maxVersions: 3 }, "e"] });
    const table = store.table("p");
    const random = seededRandom(11);
    for (let i = 0; i < 600; i++) {
      const row = rowKey(Math.floor(random() * 300));
      await table.put({
        row,
        cells: [
          { family: "d", qualifier: `q${Math.floor(random() * 3)}`, value: `v${i}`, timestamp: NOW + i },
          { family: "e", qualifier: "x", value: `e${i}`, timestamp: NOW + i },
        ],
      });
      if (random() < 0.1) await table.delete({ row, family: "d", qualifier: "q1" });
      if (random() < 0.05) await table.delete({ row });
    }
    for (const options of [{ maxVersions: 2 }, { reversed: true }, { columns: ["d"], reversed: true, maxVersions: 3 }]) {
      const want: RowResult[] = [];
      for await (const r of table.scan(options)) want.push(r);
      for (const [batchSize, n] of [[100, 37], [100, 250], [1, 3]] as const) {
        const scanner = tableScanner(table, { ...options, batchSize }, true);
        const got: RowResult[] = [];
        let sawPacked = false;
        for (;;) {
          const batch = await scanner.next(n);
          sawPacked ||= batch.runs.some((run) => run instanceof PackedRows);
          const bytes = pb.ScanResponse.encode(response(new ScanResultRuns(batch.runs) as unknown as WireResult[]));
          const decoded = (decodeScanResponseWith(bytes, new ScanRowsDecoder().read).results ?? []).map((r) => r!);
          expect(decoded.length).toBe(batch.rowCount);
          got.push(...decoded);
          expect(shape(batch.rows)).toEqual(shape(decoded));
          if (batch.exhausted) break;
          expect(batch.rowCount).toBe(n);
        }
        await scanner.close();
        expect(sawPacked).toBe(true);
        expect(shape(got)).toEqual(shape(want));
      }
    }
  });
});
