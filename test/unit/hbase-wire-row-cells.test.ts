/**
 * `RowCellsResult` (src/hbase/wire/result-codecs.ts): a store row's cells encoded straight into a
 * ScanResponse give exactly the bytes of the same response with plain `Result` messages (the generic
 * form the endpoint sent before), and of protobufjs' own coder; mixed with plain results, nested in a
 * GetResponse, non-put cells left out, bad timestamps refused.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CellType, hbaseProtoRoot, pb, ProtobufCodecError, type Result, type ScanResponse } from "../../src/hbase/wire/hbase-protos.js";
import { RowCellsResult, type StoreRow } from "../../src/hbase/wire/result-codecs.js";

const bytesArb = fc.uint8Array({ maxLength: 200 });
const cellArb = fc.record({
  family: bytesArb,
  qualifier: bytesArb,
  timestamp: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 31 }), fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
  type: fc.constantFrom("put", "put", "put", "delete"),
  value: fc.uint8Array({ maxLength: 300 }),
});
const rowArb: fc.Arbitrary<StoreRow> = fc.record({ row: bytesArb, cells: fc.array(cellArb, { maxLength: 6 }) });

/** The generic form: what `resultToWire` made before. */
function plain(row: StoreRow): Result {
  return {
    cell: row.cells
      .filter((c) => c.type === "put")
      .map((c) => ({ row: row.row, family: c.family, qualifier: c.qualifier, timestamp: c.timestamp, cell_type: CellType.PUT, value: c.value })),
  };
}

function withResults(results: Result[], extra: Partial<ScanResponse>): ScanResponse {
  return { scanner_id: 7n, results, more_results: true, more_results_in_region: false, ttl: 60000, ...extra };
}

function theirBytes(value: ScanResponse): Uint8Array {
  const t = hbaseProtoRoot().lookupType("ScanResponse");
  const obj = { ...value, scanner_id: value.scanner_id?.toString(), results: value.results?.map((r) => ({ cell: (r.cell ?? []).map((c) => ({ ...c, timestamp: String(c.timestamp) })) })) };
  return t.encode(t.fromObject(obj)).finish();
}

describe("RowCellsResult", () => {
  it("encodes a ScanResponse to the same bytes as plain Results (and protobufjs)", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 8 }), fc.boolean(), fc.array(fc.boolean(), { maxLength: 8 }), (rows, stale, mixed) => {
        const extra: Partial<ScanResponse> = stale ? { stale: true, cells_per_result: rows.map(() => 1) } : {};
        const ours = withResults(
          rows.map((r, i) => (mixed[i] ? plain(r) : (new RowCellsResult(r) as unknown as Result))),
          extra,
        );
        const generic = withResults(rows.map(plain), extra);
        const bytes = pb.ScanResponse.encode(ours);
        expect(Buffer.from(bytes)).toEqual(Buffer.from(pb.ScanResponse.encode(generic)));
        expect(Buffer.from(bytes)).toEqual(Buffer.from(theirBytes(generic)));
        const back = pb.ScanResponse.decode(bytes);
        expect(back.results?.length ?? 0).toBe(rows.length);
      }),
      { numRuns: 300 },
    );
  });

  it("reads as plain cells and encodes the same when nested in a GetResponse", () => {
    const row: StoreRow = {
      row: new Uint8Array([1, 0, 2]),
      cells: [
        { family: new Uint8Array([100]), qualifier: new Uint8Array([]), timestamp: 5, type: "put", value: new Uint8Array(130).fill(9) },
        { family: new Uint8Array([100]), qualifier: new Uint8Array([1]), timestamp: 4, type: "delete", value: new Uint8Array(0) },
      ],
    };
    const r = new RowCellsResult(row) as unknown as Result;
    expect(r.cell).toEqual(plain(row).cell);
    expect(r.cell).toHaveLength(1);
    expect(Buffer.from(pb.GetResponse.encode({ result: r }))).toEqual(Buffer.from(pb.GetResponse.encode({ result: plain(row) })));
    expect(Buffer.from(pb.Result.encode(r))).toEqual(Buffer.from(pb.Result.encode(plain(row))));
  });

  it("refuses a timestamp that is not a non-negative safe integer", () => {
    for (const timestamp of [-1, 1.5, 2 ** 60, Number.NaN]) {
      const row: StoreRow = { row: new Uint8Array([1]), cells: [{ family: new Uint8Array([1]), qualifier: new Uint8Array([1]), timestamp, type: "put", value: new Uint8Array(1) }] };
      expect(() => pb.ScanResponse.encode(withResults([new RowCellsResult(row) as unknown as Result], {}))).toThrow(ProtobufCodecError);
    }
  });
});
