/**
 * The hand-written coders of `Cell`, `Result`, `GetResponse`, `ScanResponse`, `MultiResponse`
 * (src/hbase/wire/result-codecs.ts) and `MultiRequest` (multi-request-codec.ts), behind `pb.*`,
 * against protobufjs' own coders of the same .proto types, as an independent implementation: random
 * messages (fast-check) encode to exactly the bytes
 * protobufjs writes, decode back from protobufjs' bytes to the same values (longs as bigints), packed
 * repeated fields and unknown fields are read, and bad values or bytes give ProtobufCodecError.
 */
import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import {
  CellType,
  hbaseProtoRoot,
  pb,
  ProtobufCodecError,
  RegionSpecifierType,
  type Action,
  type Cell,
  type MultiRequest,
  type MutationProto,
  type Result,
  type ScanResponse,
} from "../../src/hbase/wire/hbase-protos.js";

const b = (s: string) => new TextEncoder().encode(s);

/** A value with its bigints as decimal strings, for protobufjs' fromObject. */
function forProtobufjs(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(forProtobufjs);
  // the 1.x copies call Action.get `gxt`
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k === "get" ? "gxt" : k, forProtobufjs(v)]));
  return value;
}

/** protobufjs' own bytes for `value` of the .proto type `typeName`. */
function theirBytes(typeName: string, value: unknown): Uint8Array {
  const t = hbaseProtoRoot().lookupType(typeName);
  return t.encode(t.fromObject(forProtobufjs(value) as Record<string, unknown>)).finish();
}

const bytesArb = fc.uint8Array({ maxLength: 24 });
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 1n << 45n }), fc.constant((1n << 63n) - 1n), fc.constant(0n));
const cellArb: fc.Arbitrary<Cell> = fc.record(
  {
    row: bytesArb,
    family: bytesArb,
    qualifier: bytesArb,
    timestamp: u64,
    cell_type: fc.constantFrom(CellType.PUT, CellType.DELETE, CellType.DELETE_FAMILY, CellType.MAXIMUM),
    value: bytesArb,
  },
  { requiredKeys: [] },
);
const resultArb: fc.Arbitrary<Result> = fc.record(
  { cell: fc.array(cellArb, { minLength: 1, maxLength: 4 }), associated_cell_count: fc.integer({ min: -5, max: 1000 }), exists: fc.boolean(), stale: fc.boolean(), partial: fc.boolean() },
  { requiredKeys: [] },
);
const scanResponseArb: fc.Arbitrary<ScanResponse> = fc.record(
  {
    cells_per_result: fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 4 }),
    scanner_id: u64,
    more_results: fc.boolean(),
    ttl: fc.nat({ max: 0xffffffff }),
    results: fc.array(resultArb, { minLength: 1, maxLength: 4 }),
    stale: fc.boolean(),
    partial_flag_per_result: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
    more_results_in_region: fc.boolean(),
    heartbeat_message: fc.boolean(),
    mvcc_read_point: u64,
  },
  { requiredKeys: [] },
);

const mutationArb: fc.Arbitrary<MutationProto> = fc.record(
  {
    row: bytesArb,
    mutate_type: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
    column_value: fc.array(
      fc.record(
        {
          family: bytesArb,
          qualifier_value: fc.array(
            fc.record({ qualifier: bytesArb, value: bytesArb, timestamp: u64, delete_type: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const) }, { requiredKeys: [] }),
            { minLength: 1, maxLength: 3 },
          ),
        },
        { requiredKeys: ["family"] },
      ),
      { minLength: 1, maxLength: 3 },
    ),
    timestamp: u64,
    attribute: fc.array(fc.record({ name: fc.string({ maxLength: 8 }), value: bytesArb }, { requiredKeys: ["name"] }), { minLength: 1, maxLength: 2 }),
    durability: fc.constantFrom(0 as const, 1 as const, 4 as const),
    time_range: fc.record({ from: u64, to: u64 }, { requiredKeys: [] }),
    associated_cell_count: fc.integer({ min: -3, max: 100 }),
    nonce: u64,
  },
  { requiredKeys: [] },
);
const actionArb: fc.Arbitrary<Action> = fc.record(
  { index: fc.nat({ max: 0xffffffff }), mutation: mutationArb, get: fc.record({ row: bytesArb, max_versions: fc.nat({ max: 10 }) }, { requiredKeys: ["row"] }) },
  { requiredKeys: [] },
);
const multiArb: fc.Arbitrary<MultiRequest> = fc.record(
  {
    regionAction: fc.array(
      fc.record(
        {
          region: fc.record({ type: fc.constantFrom(RegionSpecifierType.REGION_NAME, RegionSpecifierType.ENCODED_REGION_NAME), value: bytesArb }),
          atomic: fc.boolean(),
          action: fc.array(actionArb, { minLength: 1, maxLength: 4 }),
        },
        { requiredKeys: ["region"] },
      ),
      { minLength: 1, maxLength: 3 },
    ),
    // HBase 2's conditional Multi
    nonceGroup: u64,
    condition: fc.record({
      row: bytesArb,
      family: bytesArb,
      qualifier: bytesArb,
      compare_type: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const, 4 as const, 5 as const, 6 as const),
      comparator: fc.record({ name: fc.string({ maxLength: 12 }), serialized_comparator: bytesArb }, { requiredKeys: ["name"] }),
    }),
  },
  { requiredKeys: [] },
);

describe("hand-written MultiRequest coder", () => {
  it("writes exactly protobufjs' bytes and reads them back to the same values (property)", () => {
    fc.assert(
      fc.property(multiArb, (value) => {
        const ours = pb.MultiRequest.encode(value);
        const theirs = theirBytes("MultiRequest", value);
        expect(Buffer.from(ours)).toEqual(Buffer.from(theirs));
        expect(pb.MultiRequest.decode(theirs)).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses unknown keys, ill-typed values and missing required fields; bad bytes give ProtobufCodecError", () => {
    const region = { type: RegionSpecifierType.REGION_NAME, value: b("t,,1.x.") };
    const put = (m: Record<string, unknown>) => ({ regionAction: [{ region, action: [{ index: 0, mutation: m }] }] }) as never;
    const bad: Array<[() => unknown, RegExp]> = [
      [() => pb.MultiRequest.encode({ regionAction: [{ action: [] }] } as never), /missing required field region/],
      [() => pb.MultiRequest.encode({ regionAction: [{ region: { type: 3, value: b("x") } }] } as never), /type: enum/],
      [() => pb.MultiRequest.encode({ regionAction: [{ region: { value: b("x") } }] } as never), /missing required field type/],
      [() => pb.MultiRequest.encode(put({ row: b("r"), column_value: [{ qualifier_value: [] }] })), /missing required field family/],
      [() => pb.MultiRequest.encode(put({ row: b("r"), mutate_type: 7 })), /mutate_type/],
      [() => pb.MultiRequest.encode(put({ row: b("r"), column_value: [{ family: b("f"), qualifier_value: [{ timestamp: 2 ** 60 }] }] })), /safe integer/],
      [() => pb.MultiRequest.encode(put({ row: b("r"), column_value: [{ family: b("f"), qualifier_value: [{ tags: b("t") }] }] })), /unknown field tags/],
      [() => pb.MultiRequest.encode(put({ row: 5 })), /row needs bytes/],
      [() => pb.MultiRequest.encode({ regionAction: [{ region, action: [{ index: 0, service_call: {} }] }] } as never), /unknown field service_call/],
      [() => pb.MultiRequest.encode({ regionAction: [{ region, atomic: "yes" }] } as never), /atomic/],
      [() => pb.MultiRequest.encode({ nonceGroup: -1 } as never), /nonceGroup out of range/],
      [() => pb.MultiRequest.encode({ condition: 5 } as never), /condition needs a message/],
      [() => pb.MultiRequest.encode({ condition: { row: b("r"), family: b("f"), qualifier: b("q"), compare_type: 2 } } as never), /comparator/],
    ];
    for (const [fn, message] of bad) {
      expect(fn).toThrow(ProtobufCodecError);
      expect(fn).toThrow(message);
    }
    // a RegionAction without its region, a ColumnValue without its family, truncated bytes
    expect(() => pb.MultiRequest.decode(Uint8Array.of(0x0a, 0x02, 0x10, 0x01))).toThrow(/missing required field region/);
    const ok = pb.MultiRequest.encode(put({ row: b("r"), column_value: [{ family: b("f"), qualifier_value: [{ qualifier: b("q"), value: b("v") }] }] }));
    for (let cut = 1; cut < ok.length; cut++) {
      let decoded: unknown;
      try {
        decoded = pb.MultiRequest.decode(ok.subarray(0, cut));
      } catch (error) {
        expect(error).toBeInstanceOf(ProtobufCodecError);
        continue;
      }
      expect(decoded).not.toEqual(pb.MultiRequest.decode(ok));
    }
  });
});

describe("hand-written Cell / Result / GetResponse / ScanResponse / MultiResponse coders", () => {
  it("write exactly protobufjs' bytes and read protobufjs' bytes back to the same values (property)", () => {
    fc.assert(
      fc.property(scanResponseArb, (value) => {
        const ours = pb.ScanResponse.encode(value);
        const theirs = theirBytes("ScanResponse", value);
        expect(Buffer.from(ours)).toEqual(Buffer.from(theirs));
        expect(pb.ScanResponse.decode(theirs)).toEqual(value);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.option(resultArb, { nil: undefined }), (result) => {
        const value = result === undefined ? {} : { result };
        expect(Buffer.from(pb.GetResponse.encode(value))).toEqual(Buffer.from(theirBytes("GetResponse", value)));
        expect(pb.GetResponse.decode(theirBytes("GetResponse", value))).toEqual(value);
      }),
      { numRuns: 200 },
    );
    const pairArb = fc.record({ name: fc.string({ maxLength: 12 }), value: bytesArb }, { requiredKeys: ["name"] });
    const multiResponseArb = fc.record(
      {
        regionActionResult: fc.array(
          fc.record(
            {
              resultOrException: fc.array(fc.record({ index: fc.nat({ max: 0xffffffff }), result: resultArb, exception: pairArb }, { requiredKeys: [] }), { minLength: 1, maxLength: 4 }),
              exception: pairArb,
            },
            { requiredKeys: [] },
          ),
          { minLength: 1, maxLength: 3 },
        ),
        processed: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(multiResponseArb, (value) => {
        expect(Buffer.from(pb.MultiResponse.encode(value))).toEqual(Buffer.from(theirBytes("MultiResponse", value)));
        expect(pb.MultiResponse.decode(theirBytes("MultiResponse", value))).toEqual(value);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(cellArb, (cell) => {
        expect(Buffer.from(pb.Cell.encode(cell))).toEqual(Buffer.from(theirBytes("Cell", cell)));
        expect(pb.Cell.decode(theirBytes("Cell", cell))).toEqual(cell);
      }),
      { numRuns: 200 },
    );
  });

  it("encode number timestamps (safe integers) as the same bytes as bigints, and decode them as bigints", () => {
    const asNumber = { cell: [{ row: b("r"), timestamp: 1_700_000_000_123, value: b("v") }] };
    const asBigint = { cell: [{ row: b("r"), timestamp: 1_700_000_000_123n, value: b("v") }] };
    expect(Buffer.from(pb.Result.encode(asNumber))).toEqual(Buffer.from(pb.Result.encode(asBigint)));
    expect(pb.Result.decode(pb.Result.encode(asNumber))).toEqual(asBigint);
    // strings are encoded as UTF-8 bytes, as the generic conversion does
    expect(pb.Cell.decode(pb.Cell.encode({ row: "rü" as unknown as Uint8Array }))).toEqual({ row: b("rü") });
  });

  it("read packed repeated fields and skip unknown fields (2.x's scan_metrics, cursor)", () => {
    const t = new protobuf.Type("ScanResponseX")
      .add(new protobuf.Field("cells_per_result", 1, "uint32", "repeated", undefined, { packed: true }))
      .add(new protobuf.Field("scanner_id", 2, "uint64"))
      .add(new protobuf.Field("partial_flag_per_result", 7, "bool", "repeated", undefined, { packed: true }))
      .add(new protobuf.Field("scan_metrics", 10, "bytes"))
      .add(new protobuf.Field("cursor", 12, "bytes"))
      .add(new protobuf.Field("future", 99, "fixed64"));
    new protobuf.Root().add(t);
    const bytes = t.encode(t.fromObject({ cells_per_result: [3, 0, 7], scanner_id: "5", partial_flag_per_result: [true, false], scan_metrics: b("m"), cursor: b("c"), future: "1" })).finish();
    expect(pb.ScanResponse.decode(bytes)).toEqual({ cells_per_result: [3, 0, 7], scanner_id: 5n, partial_flag_per_result: [true, false] });
    // an empty packed field leaves the field out, as absent
    expect(pb.ScanResponse.decode(Uint8Array.of(0x0a, 0x00))).toEqual({});
  });

  it("refuse unknown keys and ill-typed values, and bytes that are not the message, with ProtobufCodecError", () => {
    const bad: Array<[() => unknown, RegExp]> = [
      [() => pb.ScanResponse.encode({ results: [], nope: 1 } as never), /unknown field nope/],
      [() => pb.Result.encode({ cell: [{ row: b("r"), tags: b("t") }] } as never), /Cell: unknown field tags/],
      [() => pb.Result.encode({ cell: [{ timestamp: -1 }] }), /out of range/],
      [() => pb.Result.encode({ cell: [{ timestamp: 2 ** 60 }] }), /safe integer/],
      [() => pb.Result.encode({ cell: [{ timestamp: 1n << 64n }] }), /out of range/],
      [() => pb.Result.encode({ cell: [{ cell_type: 3 as never }] }), /cell_type/],
      [() => pb.Result.encode({ cell: [{ value: 5 as never }] }), /value needs bytes/],
      [() => pb.Result.encode({ cell: {} as never }), /cell must be an array/],
      [() => pb.Result.encode({ cell: [null as never] }), /needs a message/],
      [() => pb.ScanResponse.encode({ ttl: 1.5 }), /ttl/],
      [() => pb.ScanResponse.encode({ more_results: 1 as never }), /more_results/],
      [() => pb.GetResponse.encode({ result: "x" as never }), /needs a message/],
      [() => pb.MultiResponse.encode({ regionActionResult: [{ exception: { value: b("v") } }] } as never), /missing required field name/],
      [() => pb.MultiResponse.encode({ regionActionResult: [{ resultOrException: [{ index: 0, processed: true }] }] } as never), /unknown field processed/],
      [() => pb.MultiResponse.encode({ processed: "yes" } as never), /processed: boolean expected/],
    ];
    for (const [fn, message] of bad) {
      expect(fn).toThrow(ProtobufCodecError);
      expect(fn).toThrow(message);
    }
    const good = pb.ScanResponse.encode({ scanner_id: 1n, results: [{ cell: [{ row: b("row"), value: b("value"), timestamp: 1n }] }] });
    for (let cut = 1; cut < good.length; cut++) {
      let decoded: unknown;
      try {
        decoded = pb.ScanResponse.decode(good.subarray(0, cut));
      } catch (error) {
        expect(error).toBeInstanceOf(ProtobufCodecError);
        continue;
      }
      // a cut at a field boundary is a shorter valid message: never the whole one
      expect(decoded).not.toEqual(pb.ScanResponse.decode(good));
    }
    expect(() => pb.Result.decode(Uint8Array.of(0xff, 0xff, 0xff))).toThrow(ProtobufCodecError);
    expect(() => pb.Cell.decode(Uint8Array.of(0x22, 0x05, 1))).toThrow(ProtobufCodecError);
    // a RegionActionResult's exception without its required name
    expect(() => pb.MultiResponse.decode(Uint8Array.of(0x0a, 0x04, 0x12, 0x02, 0x12, 0x00))).toThrow(/missing required field name/);
  });
});
