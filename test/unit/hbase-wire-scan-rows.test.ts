/**
 * The wire client's scan answers decoded straight into rows (`decodeScanResponseWith` +
 * `ScanRowsDecoder`) against the generic path (the ScanResponse codec, then `resultFromWire` of each
 * Result): random ScanResponses — missing fields, unknown fields, timestamps up to 2^64−1, results
 * without cells, rows sharing families and qualifiers — give the same fields and the same rows, and
 * truncated bytes a ProtobufCodecError, as the generic decoding does.
 */
import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { ScanRowsDecoder, resultFromWire } from "../../src/hbase/backends/wire/wire-codec.js";
import { CellType, pb, ProtobufCodecError, type Cell, type Result as WireResult, type ScanResponse } from "../../src/hbase/wire/hbase-protos.js";
import { decodeScanResponseWith, RowCellsResult, type StoreRow } from "../../src/hbase/wire/result-codecs.js";

const b = (s: string) => new TextEncoder().encode(s);
const bytesArb = fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.constantFrom(b("row1"), b("d"), b("q0"), b("q1"), new Uint8Array(0)));
const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0n, max: 1n << 45n }),
  fc.bigInt({ min: (1n << 48n) - 5n, max: (1n << 56n) + 5n }),
  fc.constant((1n << 63n) - 1n),
  fc.constant(0n),
);
const cellArb: fc.Arbitrary<Cell> = fc.record(
  {
    row: bytesArb,
    family: bytesArb,
    qualifier: bytesArb,
    timestamp: u64,
    cell_type: fc.constantFrom(CellType.PUT, CellType.DELETE),
    value: fc.uint8Array({ maxLength: 40 }),
  },
  { requiredKeys: [] },
);
const resultArb: fc.Arbitrary<WireResult> = fc.record(
  { cell: fc.array(cellArb, { maxLength: 5 }), associated_cell_count: fc.integer({ min: 0, max: 10 }), exists: fc.boolean(), partial: fc.boolean() },
  { requiredKeys: [] },
);
const responseArb: fc.Arbitrary<ScanResponse> = fc.record(
  {
    scanner_id: u64,
    more_results: fc.boolean(),
    ttl: fc.nat({ max: 0xffffffff }),
    results: fc.array(resultArb, { maxLength: 5 }),
    more_results_in_region: fc.boolean(),
    cells_per_result: fc.array(fc.nat({ max: 1000 }), { maxLength: 3 }),
    partial_flag_per_result: fc.array(fc.boolean(), { maxLength: 3 }),
    mvcc_read_point: u64,
  },
  { requiredKeys: [] },
);

/** Both decodings of `bytes`: the generic one's fields and rows, and the direct one's. */
function both(bytes: Uint8Array) {
  const generic = pb.ScanResponse.decode(bytes);
  const { results, ...fields } = generic;
  const direct = decodeScanResponseWith(bytes, new ScanRowsDecoder().read);
  const { results: rows, ...directFields } = direct;
  return {
    generic: { fields, rows: results?.map((r) => resultFromWire(r)) },
    direct: { fields: directFields, rows },
  };
}

/** Rows as plain values (Result objects compared by row key and cells). */
function plain(rows: readonly (import("../../src/hbase/result.js").Result | undefined)[] | undefined) {
  return rows?.map((r) => (r === undefined ? undefined : { row: [...r.row], cells: r.cells.map((c) => ({ ...c, row: [...c.row], family: [...c.family], qualifier: [...c.qualifier], value: [...c.value] })) }));
}

describe("scan answers decoded straight into rows", () => {
  it("gives the generic decoding's fields and rows for random ScanResponses", () => {
    fc.assert(
      fc.property(responseArb, (value) => {
        const bytes = pb.ScanResponse.encode(value);
        const { generic, direct } = both(bytes);
        expect(direct.fields).toEqual(generic.fields);
        expect(plain(direct.rows)).toEqual(plain(generic.rows));
      }),
      { numRuns: 400 },
    );
  });

  it("reads unknown fields, in Results and Cells, as the generic decoding does (skipped)", () => {
    // Result { cell { row, 99: varint, family, 98: fixed64, qualifier, 97: bytes, timestamp, 96: fixed32, value }, 50: bytes }
    const w = protobuf.Writer.create();
    w.uint32((5 << 3) | 2).fork();
    w.uint32((1 << 3) | 2).fork();
    w.uint32((1 << 3) | 2).bytes(b("r"));
    w.uint32((99 << 3) | 0).uint64(12345);
    w.uint32((2 << 3) | 2).bytes(b("d"));
    w.uint32((98 << 3) | 1).fixed64(7);
    w.uint32((3 << 3) | 2).bytes(b("q"));
    w.uint32((97 << 3) | 2).bytes(b("junk"));
    w.uint32((4 << 3) | 0).uint64(1_700_000_000_000);
    w.uint32((96 << 3) | 5).fixed32(3);
    w.uint32((6 << 3) | 2).bytes(b("v"));
    w.uint32((4 << 3) | 2).bytes(b("a timestamp of the wrong wire type"));
    w.ldelim();
    w.uint32((50 << 3) | 2).bytes(b("x"));
    w.ldelim();
    w.uint32((8 << 3) | 0).bool(true);
    const bytes = w.finish();
    const { generic, direct } = both(bytes);
    expect(direct.fields).toEqual(generic.fields);
    expect(plain(direct.rows)).toEqual(plain(generic.rows));
    expect(direct.rows?.[0]?.cells[0]?.timestamp).toBe(1_700_000_000_000);
  });

  it("shares equal row keys, families and qualifiers between cells (the bytes are the same)", () => {
    const cells = (row: string) => ["q0", "q1"].map((q) => ({ row: b(row), family: b("d"), qualifier: b(q), timestamp: 5n, cell_type: CellType.PUT, value: b(`${row}-${q}`) }));
    const bytes = pb.ScanResponse.encode({ results: [{ cell: cells("a") }, { cell: cells("b") }] });
    const rows = decodeScanResponseWith(bytes, new ScanRowsDecoder().read).results!;
    const [a, c] = [rows[0]!, rows[1]!];
    expect(a.cells[1]!.row).toBe(a.cells[0]!.row);
    expect(a.cells[1]!.family).toBe(a.cells[0]!.family);
    expect(c.cells[0]!.qualifier).toBe(a.cells[0]!.qualifier);
    expect(c.cells[1]!.family).toBe(a.cells[1]!.family);
    expect(new TextDecoder().decode(c.row)).toBe("b");
    expect(c.cells.map((x) => new TextDecoder().decode(x.value))).toEqual(["b-q0", "b-q1"]);
  });

  it("refuses truncated bytes with a ProtobufCodecError, as the generic decoding", () => {
    const good = pb.ScanResponse.encode({
      scanner_id: 1n,
      results: [{ cell: [{ row: b("row"), family: b("d"), qualifier: b("q"), value: b("value"), timestamp: 1n << 50n }] }],
    });
    let refused = 0;
    for (let cut = 1; cut < good.length; cut++) {
      const bytes = good.subarray(0, cut);
      let genericError: unknown;
      try {
        pb.ScanResponse.decode(bytes);
      } catch (e) {
        genericError = e;
      }
      if (genericError === undefined) continue;
      refused++;
      expect(() => decodeScanResponseWith(bytes, new ScanRowsDecoder().read)).toThrow(ProtobufCodecError);
    }
    expect(refused).toBeGreaterThan(0);
  });

  it("a big answer encoded from store rows (more cells than its length table first holds) reads back whole", () => {
    const rows: StoreRow[] = Array.from({ length: 3000 }, (_, i) => ({
      row: b(`row${i}`),
      cells: ["a", "b", "c"].map((q, j) => ({ family: b("d"), qualifier: b(q), timestamp: 1000 + i * 3 + j, type: j === 1 && i % 5 === 0 ? "delete" : "put", value: b(`v${i}${q}`.repeat(1 + (i % 3))) })),
    }));
    const plainResult = (r: StoreRow): WireResult => ({
      cell: r.cells.filter((c) => c.type === "put").map((c) => ({ row: r.row, family: c.family, qualifier: c.qualifier, timestamp: c.timestamp, cell_type: CellType.PUT, value: c.value })),
    });
    const ours = pb.ScanResponse.encode({ scanner_id: 3n, results: rows.map((r) => new RowCellsResult(r) as unknown as WireResult), more_results: true });
    const generic = pb.ScanResponse.encode({ scanner_id: 3n, results: rows.map(plainResult), more_results: true });
    expect(Buffer.from(ours).equals(Buffer.from(generic))).toBe(true);
    const back = decodeScanResponseWith(ours, new ScanRowsDecoder().read).results!;
    expect(back).toHaveLength(3000);
    expect(back.reduce((n, r) => n + (r?.cells.length ?? 0), 0)).toBe(9000 - 600);
    expect(new TextDecoder().decode(back[2999]!.cells[2]!.value)).toBe("v2999c".repeat(3));
  });
});
