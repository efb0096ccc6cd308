import { afterEach, beforeEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { connect } from "../../src/hbase/connect.js";
import type { Connection, RowResult, ScanOptions, Table } from "../../src/hbase/table.js";
import { isEmptyInterval, scanRowInterval, splitScanByRegion } from "../../src/hbase/scan-splits.js";
import { compareBytes } from "../../src/hbase/bytes/bytes.js";
import { tempDir, text } from "./hbase-embedded-support.js";

let remove: () => Promise<void>;
let conn: Connection;

beforeEach(async () => {
  let dir: string;
  ({ dir, remove } = await tempDir());
  conn = await connect({ path: dir });
});
afterEach(async () => {
  await conn.close();
  await remove();
});

async function names(table: Table, options?: ScanOptions): Promise<string[]> {
  const out: string[] = [];
  for await (const r of table.scan(options)) out.push(text(r.row));
  return out;
}

const rowNames = Array.from({ length: 30 }, (_, i) => `r${String(i).padStart(2, "0")}`);

async function splitTable(): Promise<Table> {
  await conn.admin.createTable("t", { families: ["d"], splitKeys: ["r10", "r20"] });
  const t = conn.table("t");
  await t.putMany(rowNames.map((row, i) => ({ row, timestamp: 1, cells: [{ family: "d", qualifier: "n", value: String(i % 3) }] })));
  return t;
}

describe("regions", () => {
  it("are visible in describeTable and cover the key space in order", async () => {
    const d = await conn.admin.createTable("t", { families: ["d"], splitKeys: ["m", "c"] });
    expect(d.regions.map((r) => [text(r.startKey), text(r.endKey)])).toEqual([["", "c"], ["c", "m"], ["m", ""]]);
    expect((await conn.admin.describeTable("t")).regions).toHaveLength(3);
  });

  it("split a scan into one part per touched region, in scan order, and the parts read the whole scan", async () => {
    const t = await splitTable();
    const whole = await t.splitScan({});
    expect(whole.map((s) => text(s.region.startKey))).toEqual(["", "r10", "r20"]);
    const parts = await t.splitScan({ startRow: "r05", stopRow: "r15" });
    expect(parts.map((s) => text(s.region.startKey))).toEqual(["", "r10"]);
    expect(await Promise.all(parts.map((p) => names(t, p.scan)))).toEqual([
      ["r05", "r06", "r07", "r08", "r09"],
      ["r10", "r11", "r12", "r13", "r14"],
    ]);
    const reversed = await t.splitScan({ startRow: "r25", stopRow: "r08", reversed: true });
    expect(reversed.map((s) => text(s.region.startKey))).toEqual(["r20", "r10", ""]);
    const readBack = (await Promise.all(reversed.map((p) => names(t, p.scan)))).flat();
    expect(readBack).toEqual(await names(t, { startRow: "r25", stopRow: "r08", reversed: true }));
    expect(readBack[0]).toBe("r25");
    expect(readBack.at(-1)).toBe("r09");
    // Row "r1" itself would sort before "r10": the prefix touches the first region too.
    expect((await t.splitScan({ prefix: "r1" })).map((s) => text(s.region.startKey))).toEqual(["", "r10"]);
    expect(await t.splitScan({ prefix: "r15" })).toHaveLength(1);
    expect(await t.splitScan({ startRow: "r10", stopRow: "r10" })).toHaveLength(0);
  });

  it("run filters per region, as region servers do: a page filter passes a page in each region", async () => {
    const t = await splitTable();
    const page = { type: "page", pageSize: 2 } as const;
    expect(await names(t, { filter: page })).toEqual(["r00", "r01", "r10", "r11", "r20", "r21"]);
    expect(await names(t, { filter: page, reversed: true })).toEqual(["r29", "r28", "r19", "r18", "r09", "r08"]);
    expect(await names(t, { filter: page, limit: 3 })).toEqual(["r00", "r01", "r10"]);
    // A filter that is done for good in one region (rows past a prefix) does not end the others.
    expect(await names(t, { filter: { type: "rowPrefix", prefix: "r2" } })).toEqual(rowNames.slice(20));
  });

  it("honour includeStartRow and includeStopRow, forwards and reversed, across region boundaries", async () => {
    const t = await splitTable();
    expect(await names(t, { startRow: "r09", includeStartRow: false, stopRow: "r11", includeStopRow: true })).toEqual(["r10", "r11"]);
    expect(await names(t, { startRow: "r11", includeStartRow: false, stopRow: "r09", includeStopRow: true, reversed: true })).toEqual([
      "r10",
      "r09",
    ]);
    expect(() => t.scan({ includeStartRow: "yes" as unknown as boolean })).toThrow("includeStartRow must be a boolean");
  });
});

describe("scan row intervals (property-based against a brute-force model)", () => {
  const byteRow = fc.uint8Array({ minLength: 1, maxLength: 3, max: 3 }).map((a) => a.map((b) => [0x00, 0x01, 0x7f, 0xff][b]!));
  const options = fc.record(
    {
      startRow: byteRow,
      stopRow: byteRow,
      includeStartRow: fc.boolean(),
      includeStopRow: fc.boolean(),
      prefix: fc.uint8Array({ minLength: 1, maxLength: 2, max: 3 }).map((a) => a.map((b) => [0x00, 0x01, 0x7f, 0xff][b]!)),
      reversed: fc.boolean(),
    },
    { requiredKeys: [] },
  );
  const allRows: Uint8Array[] = [];
  for (const a of [0x00, 0x01, 0x7f, 0xff]) {
    allRows.push(Uint8Array.of(a));
    for (const b of [0x00, 0x01, 0x7f, 0xff]) {
      allRows.push(Uint8Array.of(a, b));
      for (const c of [0x00, 0x7f, 0xff]) allRows.push(Uint8Array.of(a, b, c));
    }
  }
  allRows.sort(compareBytes);

  /** HBase's definition, row by row. */
  function selects(o: ScanOptions, row: Uint8Array): boolean {
    const start = o.startRow as Uint8Array | undefined;
    const stop = o.stopRow as Uint8Array | undefined;
    const prefix = o.prefix as Uint8Array | undefined;
    if (prefix !== undefined && !(row.length >= prefix.length && prefix.every((b, i) => row[i] === b))) return false;
    const cStart = start === undefined ? undefined : compareBytes(row, start);
    const cStop = stop === undefined ? undefined : compareBytes(row, stop);
    const inclStart = o.includeStartRow ?? true;
    const inclStop = o.includeStopRow ?? false;
    if (o.reversed === true) {
      if (cStart !== undefined && (cStart > 0 || (cStart === 0 && !inclStart))) return false;
      if (cStop !== undefined && (cStop < 0 || (cStop === 0 && !inclStop))) return false;
    } else {
      if (cStart !== undefined && (cStart < 0 || (cStart === 0 && !inclStart))) return false;
      if (cStop !== undefined && (cStop > 0 || (cStop === 0 && !inclStop))) return false;
    }
    return true;
  }

  function inInterval(o: ScanOptions, row: Uint8Array): boolean {
    const { lower, upper } = scanRowInterval(o);
    if (lower.row.length > 0) {
      const c = compareBytes(row, lower.row);
      if (c < 0 || (c === 0 && !lower.inclusive)) return false;
    }
    if (upper.row.length > 0) {
      const c = compareBytes(row, upper.row);
      if (c > 0 || (c === 0 && !upper.inclusive)) return false;
    }
    return true;
  }

  it("select exactly HBase's rows, and the region parts partition them", () => {
    const regions = [
      { startKey: new Uint8Array(0), endKey: Uint8Array.of(0x01) },
      { startKey: Uint8Array.of(0x01), endKey: Uint8Array.of(0x7f, 0x00) },
      { startKey: Uint8Array.of(0x7f, 0x00), endKey: new Uint8Array(0) },
    ];
    fc.assert(
      fc.property(options, (o) => {
        const expected = allRows.filter((r) => selects(o, r));
        expect(allRows.filter((r) => inInterval(o, r))).toEqual(expected);
        if (expected.length > 0) expect(isEmptyInterval(scanRowInterval(o))).toBe(false);
        const parts = splitScanByRegion(o, regions);
        const fromParts = parts.flatMap((p) => allRows.filter((r) => selects(p.scan, r)));
        const inOrder = o.reversed === true ? [...expected].reverse() : expected;
        const partsInOrder = parts.flatMap((p) => {
          const rs = allRows.filter((r) => selects(p.scan, r));
          return o.reversed === true ? rs.reverse() : rs;
        });
        expect(fromParts.length).toBe(expected.length);
        expect(partsInOrder).toEqual(inOrder);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("region scans on the store match the model", () => {
  it("for random bounds over tricky keys", async () => {
    await conn.admin.createTable("k", { families: ["d"], splitKeys: [Uint8Array.of(0x01), Uint8Array.of(0x7f, 0x00)] });
    const t = conn.table("k");
    const rows = [Uint8Array.of(0x00), Uint8Array.of(0x00, 0x00), Uint8Array.of(0x01), Uint8Array.of(0x7f), Uint8Array.of(0x7f, 0x00), Uint8Array.of(0xff), Uint8Array.of(0xff, 0xff)];
    await t.putMany(rows.map((row) => ({ row, cells: [{ family: "d", qualifier: "q", value: "v" }] })));
    const cases: ScanOptions[] = [
      {},
      { reversed: true },
      { startRow: Uint8Array.of(0x00), includeStartRow: false },
      { startRow: Uint8Array.of(0x7f), stopRow: Uint8Array.of(0x7f, 0x00), includeStopRow: true },
      { startRow: Uint8Array.of(0xff), stopRow: Uint8Array.of(0x00), reversed: true, includeStopRow: true },
      { prefix: Uint8Array.of(0x00) },
      { prefix: Uint8Array.of(0xff), reversed: true },
    ];
    const expected = [
      rows,
      [...rows].reverse(),
      rows.slice(1),
      rows.slice(3, 5),
      rows.slice(0, 6).reverse(),
      rows.slice(0, 2),
      rows.slice(5).reverse(),
    ];
    for (const [i, o] of cases.entries()) {
      const got: RowResult[] = [];
      for await (const r of t.scan(o)) got.push(r);
      expect(got.map((r) => Array.from(r.row)), JSON.stringify(o)).toEqual(expected[i]!.map((r) => Array.from(r)));
    }
  });
});
