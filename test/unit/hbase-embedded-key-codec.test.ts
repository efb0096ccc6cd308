import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareBytes } from "../../src/hbase/bytes/bytes.js";
import type { CellType } from "../../src/hbase/model/cell.js";
import {
  decodeCellKey,
  encodeCellKey,
  escapeUnterminated,
  rowKeyEnd,
  rowKeyPrefix,
  rowPrefixLength,
  startsWithForTest,
} from "./hbase-embedded-support.js";

const bytes = fc.uint8Array({ maxLength: 6 }).map((b) => b.map((x) => [0, 1, 0xfe, 0xff, 0x61][x % 5]!));
const TYPES: CellType[] = ["put", "delete", "deleteColumn", "deleteFamily", "deleteFamilyVersion"];

describe("embedded key codec", () => {
  it("round-trips every part of a key", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 32 - 2 }), bytes, bytes, bytes, fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(...TYPES), (id, row, family, qualifier, ts, type) => {
        const key = decodeCellKey(encodeCellKey(id, row, family, qualifier, ts, type));
        expect(key).toEqual({ tableId: id, row, family, qualifier, timestamp: ts, type });
      }),
    );
  });

  it("orders keys as HBase orders cells: row, family, qualifier, timestamp descending, markers before puts", () => {
    const cell = fc.record({ row: bytes, family: bytes, qualifier: bytes, ts: fc.integer({ min: 0, max: 2 ** 40 }), type: fc.constantFrom(...TYPES) });
    const typeRank = (t: CellType) => ["deleteFamily", "deleteFamilyVersion", "deleteColumn", "delete", "put"].indexOf(t);
    fc.assert(
      fc.property(cell, cell, (a, b) => {
        const expected =
          compareBytes(a.row, b.row) ||
          compareBytes(a.family, b.family) ||
          compareBytes(a.qualifier, b.qualifier) ||
          b.ts - a.ts ||
          typeRank(a.type) - typeRank(b.type);
        const actual = compareBytes(encodeCellKey(7, a.row, a.family, a.qualifier, a.ts, a.type), encodeCellKey(7, b.row, b.family, b.qualifier, b.ts, b.type));
        expect(Math.sign(actual)).toBe(Math.sign(expected));
      }),
    );
  });

  it("row bounds bracket exactly the row's keys, and escaped prefixes select exactly the rows with that prefix", () => {
    fc.assert(
      fc.property(bytes, bytes, bytes, (row, other, qualifier) => {
        const key = encodeCellKey(3, other, Uint8Array.of(0x64), qualifier, 5, "put");
        const inRow = compareBytes(key, rowKeyPrefix(3, row)) >= 0 && compareBytes(key, rowKeyEnd(3, row)) < 0;
        expect(inRow).toBe(compareBytes(row, other) === 0);
        expect(rowPrefixLength(key)).toBe(rowKeyPrefix(3, other).length);
        const prefixed = startsWithForTest(key, [...rowKeyPrefix(3, new Uint8Array()).slice(0, 5), ...escapeUnterminated(row)]);
        expect(prefixed).toBe(other.length >= row.length && compareBytes(other.subarray(0, row.length), row) === 0);
      }),
    );
  });
});
