/**
 * Scan row intervals and their split by region (src/hbase/scan-splits.ts), property-based against a
 * brute-force model. The region behaviour of tables (describeTable, splitScan, filters per region,
 * include flags across boundaries) is tested on every backend by the shared suite
 * (hbase-table-suite.ts, "regions").
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { ScanOptions } from "../../src/hbase/table.js";
import { isEmptyInterval, scanRowInterval, splitScanByRegion } from "../../src/hbase/scan-splits.js";
import { compareBytes } from "../../src/hbase/bytes/bytes.js";

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
