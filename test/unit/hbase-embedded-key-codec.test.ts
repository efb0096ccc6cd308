import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeCellKeyInRow,
  encodeCellKeyInRow,
  rowOfKey,
  startsWithRowPrefix,
} from "../../src/hbase/backends/embedded/key-codec.js";
import { writeBatch } from "../../src/hbase/backends/embedded/mutation-encoder.js";
import { openStorageEngine } from "../../src/hbase/backends/embedded/open-storage-engine.js";
import type { RowEntry } from "../../src/hbase/backends/embedded/row-reader.js";
import { ScanAssembler } from "../../src/hbase/backends/embedded/scan-assembler.js";
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
  tempDir,
  text,
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

describe("embedded key codec: the fast paths of writes and scans", () => {
  const cellArb = fc.record({ row: bytes, family: bytes, qualifier: bytes, ts: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), type: fc.constantFrom(...TYPES) });

  it("a key encoded from the row's prefix is byte for byte the key encoded in one go", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 32 - 2 }), cellArb, (id, c) => {
        const whole = encodeCellKey(id, c.row, c.family, c.qualifier, c.ts, c.type);
        const inRow = encodeCellKeyInRow(rowKeyPrefix(id, c.row), c.family, c.qualifier, c.ts, c.type);
        expect(Array.from(inRow)).toEqual(Array.from(whole));
      }),
    );
  });

  it("keys encoded one after another do not overwrite each other (shared allocation)", () => {
    const keys = Array.from({ length: 5000 }, (_, i) => encodeCellKey(1, Uint8Array.of(i >> 8, i & 0xff), Uint8Array.of(0x64), Uint8Array.of(i % 7), i, "put"));
    keys.forEach((key, i) => {
      const decoded = decodeCellKey(key);
      expect([...decoded.row, ...decoded.qualifier, decoded.timestamp]).toEqual([i >> 8, i & 0xff, i % 7, i]);
    });
  });

  it("decodes a key of a known row, sharing the previous entry's family only when it is the same", () => {
    fc.assert(
      fc.property(cellArb, cellArb, (a, b) => {
        // b in a's row: its previous entry is a.
        const prefix = rowKeyPrefix(9, a.row);
        const keyA = encodeCellKey(9, a.row, a.family, a.qualifier, a.ts, a.type);
        const keyB = encodeCellKey(9, a.row, b.family, b.qualifier, b.ts, b.type);
        expect(startsWithRowPrefix(keyA, prefix)).toBe(true);
        const row = rowOfKey(keyA, rowPrefixLength(keyA));
        expect(Array.from(row)).toEqual(Array.from(a.row));
        const first = decodeCellKeyInRow(keyA, prefix, row);
        const second = decodeCellKeyInRow(keyB, prefix, row, first);
        expect(first).toEqual({ tableId: 9, row: a.row, family: a.family, qualifier: a.qualifier, timestamp: a.ts, type: a.type });
        expect(second).toEqual({ tableId: 9, row: a.row, family: b.family, qualifier: b.qualifier, timestamp: b.ts, type: b.type });
        expect(second.row).toBe(row);
        // The hints are only hints: any earlier key, in either place, gives the same decoding.
        const expectedB = { tableId: 9, row: a.row, family: b.family, qualifier: b.qualifier, timestamp: b.ts, type: b.type };
        expect(decodeCellKeyInRow(keyB, prefix, row, undefined, prefix.length, first)).toEqual(expectedB);
        expect(decodeCellKeyInRow(keyB, keyA, row, second, prefix.length, first)).toEqual(expectedB);
        if (compareBytes(a.qualifier, b.qualifier) === 0 && !a.qualifier.includes(0)) expect(second.qualifier).toBe(first.qualifier);
      }),
    );
  });

  it("recognises a row's keys by their prefix, and only them", () => {
    fc.assert(
      fc.property(bytes, bytes, bytes, (row, other, qualifier) => {
        const key = encodeCellKey(3, other, Uint8Array.of(0x64), qualifier, 5, "put");
        expect(startsWithRowPrefix(key, rowKeyPrefix(3, row))).toBe(compareBytes(row, other) === 0);
        expect(startsWithRowPrefix(key, rowKeyPrefix(4, other))).toBe(false);
      }),
    );
  });
});

describe("scan assembler", () => {
  const cellArb = fc.record({ row: bytes, family: bytes, qualifier: bytes, ts: fc.integer({ min: 0, max: 2 ** 40 }), type: fc.constantFrom(...TYPES) });

  /** Rows as the assembler gives them: row key and its entries, as plain arrays. */
  function assemble(keys: Uint8Array[], cuts: number[], reversed: boolean): { row: number[]; entries: number[][] }[] {
    const pairs = keys.map((k, i) => [k, Uint8Array.of(i & 0xff)] as const);
    const ordered = reversed ? [...pairs].reverse() : pairs;
    const out: { row: number[]; entries: number[][] }[] = [];
    const sink = (row: Uint8Array, entries: RowEntry[]) => {
      for (const e of entries) expect(Array.from(e.key.row)).toEqual(Array.from(row));
      out.push({ row: Array.from(row), entries: entries.map((e) => [...e.key.family, -1, ...e.key.qualifier, -1, e.key.timestamp, TYPES.indexOf(e.key.type), ...e.value]) });
    };
    const assembler = new ScanAssembler(reversed);
    let at = 0;
    for (const cut of [...cuts.map((c) => c % (ordered.length + 1)).sort((x, y) => x - y), ordered.length]) {
      if (cut < at) continue;
      assembler.add(ordered.slice(at, cut), sink);
      at = cut;
    }
    assembler.end(sink);
    return out;
  }

  it("groups entries into rows in key order, however the iterator's batches cut them, forwards and backwards", () => {
    fc.assert(
      fc.property(fc.array(cellArb, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 5 }), (cells, cuts) => {
        const keys = cells.map((c) => encodeCellKey(2, c.row, c.family, c.qualifier, c.ts, c.type)).sort(compareBytes);
        const unique = keys.filter((k, i) => i === 0 || compareBytes(keys[i - 1]!, k) !== 0);
        // Expected: consecutive keys with the same decoded row form one row, in key order.
        const expected: { row: number[]; entries: number[][] }[] = [];
        unique.forEach((key, i) => {
          const d = decodeCellKey(key);
          const entry = [...d.family, -1, ...d.qualifier, -1, d.timestamp, TYPES.indexOf(d.type), i & 0xff];
          const last = expected[expected.length - 1];
          if (last !== undefined && compareBytes(Uint8Array.from(last.row), d.row) === 0) last.entries.push(entry);
          else expected.push({ row: Array.from(d.row), entries: [entry] });
        });
        expect(assemble(unique, cuts, false)).toEqual(expected);
        expect(assemble(unique, cuts, true)).toEqual([...expected].reverse());
      }),
    );
  });
});

describe("writeBatch", () => {
  it.each(["lmdb", "leveldb"] as const)("writes every entry (one, several, none) to a real %s and nothing of a batch with a bad entry", async (engine) => {
    const { dir, remove } = await tempDir();
    const db = await openStorageEngine(dir, engine);
    try {
      expect(db.kind).toBe(engine);
      const op = (k: string, v: string) => ({ type: "put" as const, key: new TextEncoder().encode(k), value: new TextEncoder().encode(v) });
      await writeBatch(db, []);
      await writeBatch(db, [op("a", "1")]);
      await writeBatch(db, [op("b", "2"), op("c", "3"), op("d", "4")]);
      const bad = { type: "put" as const, key: null as unknown as Uint8Array, value: new Uint8Array(1) };
      await expect(writeBatch(db, [op("e", "5"), bad])).rejects.toThrow();
      const all = (await db.iterator().all()).map(([k, v]) => `${text(k)}=${text(v)}`);
      expect(all).toEqual(["a=1", "b=2", "c=3", "d=4"]);
    } finally {
      await db.close();
      await remove();
    }
  });
});
