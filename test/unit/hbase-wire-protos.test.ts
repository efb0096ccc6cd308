/**
 * HBase's protobuf messages as loaded from hbase-rpc-client's .proto files: round trips of every
 * message kind Sluice uses, the 64-bit rule (bigint), the 1.x copies' `gxt` field under HBase's name
 * `get`, the 2.x fields added with 2.x's numbers, filters and comparators.
 */
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import {
  CellType,
  CompareType,
  decodeComparator,
  decodeFilter,
  DeleteType,
  encodeComparator,
  encodeFilter,
  FilterListOperator,
  hbaseProtoRoot,
  LATEST_TIMESTAMP,
  type MessageCodec,
  MutationType,
  pb,
  ProtobufCodecError,
  RegionSpecifierType,
  UnsupportedFilterError,
} from "../../src/hbase/wire/hbase-protos.js";

const b = (s: string) => new TextEncoder().encode(s);
const region = { type: RegionSpecifierType.REGION_NAME, value: b("t1,,1700000000000.0123456789abcdef0123456789abcdef.") };
const tableName = { namespace: b("default"), qualifier: b("t1") };
const cell = { row: b("r1"), family: b("f"), qualifier: b("q"), timestamp: 1_700_000_000_123n, cell_type: CellType.PUT, value: b("v") };
const result = { cell: [cell, { ...cell, qualifier: b("q2"), value: new Uint8Array([0, 255, 1]) }], stale: false };
const filter = encodeFilter("PrefixFilter", { prefix: b("row-") });
const schema = {
  table_name: tableName,
  attributes: [{ first: b("IS_META"), second: b("false") }],
  column_families: [{ name: b("f"), attributes: [{ first: b("VERSIONS"), second: b("3") }] }],
  configuration: [{ name: "k", value: "v" }],
};

/** One example of every message kind, as [codec, value]. */
const EXAMPLES: Array<[MessageCodec<unknown>, unknown]> = [
  [pb.ConnectionHeader, { user_info: { effective_user: "alice", real_user: "bob" }, service_name: "ClientService", cell_block_codec_class: "org.apache.hadoop.hbase.codec.KeyValueCodec" }],
  [pb.RequestHeader, { call_id: 7, method_name: "Get", request_param: true, priority: 200, timeout: 60000 }],
  [pb.ResponseHeader, { call_id: 7, exception: { exception_class_name: "org.apache.hadoop.hbase.NotServingRegionException", stack_trace: "x", hostname: "h", port: 16020, do_not_retry: false } }],
  [pb.ResponseHeader, { call_id: 0xffffffff, cell_block_meta: { length: 12 } }],
  [pb.ExceptionResponse, { exception_class_name: "java.io.IOException", do_not_retry: true, server_overloaded: true }],
  [pb.TableName, tableName],
  [pb.ServerName, { host_name: "localhost", port: 16020, start_code: 1_700_000_000_000n }],
  [pb.RegionInfo, { region_id: 1_700_000_000_000n, table_name: tableName, start_key: b("a"), end_key: b("m"), offline: false, split: true }],
  [pb.RegionSpecifier, region],
  [pb.TableSchema, schema],
  [pb.Cell, cell],
  [pb.Result, result],
  [pb.Get, { row: b("r1"), column: [{ family: b("f"), qualifier: [b("a"), b("b")] }], filter, time_range: { from: 0n, to: LATEST_TIMESTAMP }, max_versions: 3, existence_only: false }],
  [pb.GetRequest, { region, get: { row: b("t1,r,99999999999999"), column: [{ family: b("info") }], closest_row_before: true } }],
  [pb.GetResponse, { result }],
  [pb.GetResponse, {}],
  [
    pb.MutateRequest,
    {
      region,
      mutation: {
        row: b("r1"),
        mutate_type: MutationType.PUT,
        column_value: [{ family: b("f"), qualifier_value: [{ qualifier: b("q"), value: b("v"), timestamp: LATEST_TIMESTAMP }] }],
        durability: 0,
        nonce: 99n,
      },
      condition: {
        row: b("r1"),
        family: b("f"),
        qualifier: b("q"),
        compare_type: CompareType.EQUAL,
        comparator: encodeComparator("BinaryComparator", { comparable: { value: b("old") } }),
      },
      nonce_group: 5n,
    },
  ],
  [
    pb.MutateRequest,
    {
      region,
      mutation: {
        row: b("r1"),
        mutate_type: MutationType.DELETE,
        column_value: [{ family: b("f"), qualifier_value: [{ qualifier: b("q"), timestamp: 10n, delete_type: DeleteType.DELETE_MULTIPLE_VERSIONS }] }],
        timestamp: 20n,
      },
    },
  ],
  [pb.MutateResponse, { result, processed: true }],
  [
    pb.ScanRequest,
    {
      region,
      scan: {
        column: [{ family: b("f") }],
        start_row: b("a"),
        stop_row: b("z"),
        filter,
        time_range: { from: 5n, to: 10n },
        max_versions: 2,
        reversed: true,
        caching: 100,
        include_start_row: true,
        include_stop_row: false,
      },
      number_of_rows: 100,
      client_handles_partials: true,
      client_handles_heartbeats: true,
      renew: false,
      limit_of_rows: 10,
    },
  ],
  [pb.ScanRequest, { scanner_id: (1n << 62n) + 3n, number_of_rows: 10, close_scanner: true, next_call_seq: 2n }],
  [pb.ScanResponse, { scanner_id: 42n, more_results: true, ttl: 60000, results: [result], more_results_in_region: false, heartbeat_message: false, mvcc_read_point: 9n }],
  [pb.ScanResponse, { cells_per_result: [1, 2], partial_flag_per_result: [false, true] }],
  [
    pb.MultiRequest,
    {
      regionAction: [
        {
          region,
          atomic: false,
          action: [
            { index: 0, mutation: { row: b("r1"), mutate_type: MutationType.INCREMENT, column_value: [{ family: b("f"), qualifier_value: [{ qualifier: b("n"), value: new Uint8Array(8) }] }] } },
            { index: 1, get: { row: b("r2") } },
          ],
        },
      ],
    },
  ],
  [pb.MultiResponse, { regionActionResult: [{ resultOrException: [{ index: 0, result }, { index: 1, exception: { name: "java.io.IOException", value: b("boom") } }] }, { exception: { name: "x" } }] }],
  [pb.MetaRegionServer, { server: { host_name: "127.0.0.1", port: 16020, start_code: 1n }, rpc_version: 0, state: 3 }],
  [pb.Master, { master: { host_name: "127.0.0.1", port: 16000, start_code: 2n }, rpc_version: 0, info_port: 16010 }],
  [pb.CreateTableRequest, { table_schema: schema, split_keys: [b("g"), b("p")], nonce_group: 1n, nonce: 2n }],
  [pb.CreateTableResponse, { proc_id: 12n }],
  [pb.DeleteTableRequest, { table_name: tableName }],
  [pb.DeleteTableResponse, { proc_id: 13n }],
  [pb.EnableTableRequest, { table_name: tableName }],
  [pb.DisableTableRequest, { table_name: tableName }],
  [pb.GetTableDescriptorsRequest, { table_names: [tableName], include_sys_tables: false, namespace: "default" }],
  [pb.GetTableDescriptorsResponse, { table_schema: [schema] }],
  [pb.GetTableNamesRequest, { regex: "t.*", include_sys_tables: true }],
  [pb.GetTableNamesResponse, { table_names: [tableName] }],
  [pb.Filter, filter],
  [pb.Comparator, encodeComparator("SubstringComparator", { substr: "abc" })],
  [pb.FilterList, { operator: FilterListOperator.MUST_PASS_ONE, filters: [filter] }],
];

describe("hbase protos", () => {
  it.each(EXAMPLES.map(([c, v], i) => [`${i} ${c.typeName}`, c, v] as const))("%s round-trips", (_name, codec, value) => {
    const bytes = codec.encode(value);
    expect(codec.decode(bytes)).toEqual(value);
    // and again from the decoded value: the same bytes
    expect(Buffer.from(codec.encode(codec.decode(bytes)))).toEqual(Buffer.from(bytes));
  });

  it("loads the protos once, with HBase 2's numbers for the fields the 1.x copies lack", () => {
    const root = hbaseProtoRoot();
    expect(hbaseProtoRoot()).toBe(root);
    const num = (t: string, f: string) => root.lookupType(t).fields[f]?.id;
    expect(num("Scan", "caching")).toBe(17);
    expect(num("Scan", "reversed")).toBe(15);
    expect(num("ScanResponse", "more_results_in_region")).toBe(8);
    expect(num("ScanResponse", "ttl")).toBe(4);
    expect(num("ScanResponse", "results")).toBe(5);
    expect(num("GetRequest", "gxt")).toBe(2);
    expect(num("Get", "closest_row_before")).toBe(11);
    expect(num("MutateRequest", "condition")).toBe(3);
    expect(num("ResponseHeader", "exception")).toBe(2);
    expect(num("ConnectionHeader", "service_name")).toBe(2);
    expect(num("MetaRegionServer", "server")).toBe(1);
    expect(num("RegionInfo", "region_id")).toBe(1);
    expect(num("CreateTableResponse", "proc_id")).toBe(1);
    expect(num("MetaRegionServer", "state")).toBe(3);
    expect(num("Master", "info_port")).toBe(3);
  });

  it("decodes 64-bit fields as bigint, exactly, and encodes numbers too", () => {
    const bytes = pb.Get.encode({ row: b("r"), time_range: { from: 5, to: LATEST_TIMESTAMP } });
    const back = pb.Get.decode(bytes);
    expect(back.time_range).toEqual({ from: 5n, to: 9223372036854775807n });
    const big = pb.ScanRequest.decode(pb.ScanRequest.encode({ scanner_id: 18446744073709551615n }));
    expect(big.scanner_id).toBe(18446744073709551615n);
  });

  it("rejects values that do not fit, unknown fields and missing required fields on encode", () => {
    expect(() => pb.ScanRequest.encode({ scanner_id: -1n })).toThrow(ProtobufCodecError);
    expect(() => pb.ScanRequest.encode({ scanner_id: 1n << 64n })).toThrow(ProtobufCodecError);
    expect(() => pb.ScanRequest.encode({ scanner_id: 2 ** 60 })).toThrow(/safe integer/);
    expect(() => pb.Get.encode({ row: b("r"), nope: 1 } as never)).toThrow(/unknown field nope/);
    expect(() => pb.GetRequest.encode({ region } as never)).toThrow(/missing required field get/);
  });

  it("gives ProtobufCodecError for bytes that are not the message", () => {
    expect(() => pb.GetRequest.decode(Uint8Array.of(0x0a, 0x00))).toThrow(ProtobufCodecError); // region without its required fields
    expect(() => pb.Get.decode(Uint8Array.of(0x0a, 0x05, 1))).toThrow(ProtobufCodecError); // truncated
    expect(() => pb.Result.decode(Uint8Array.of(0xff, 0xff, 0xff))).toThrow(ProtobufCodecError);
  });

  it("writes GetRequest.get as field 2 (the 1.x copies' `gxt`), readable by a plain protobufjs type", () => {
    const bytes = pb.GetRequest.encode({ region, get: { row: b("x") } });
    const plain = new protobuf.Type("G").add(new protobuf.Field("two", 2, "bytes"));
    plain.add(new protobuf.Field("one", 1, "bytes"));
    const raw = plain.decode(bytes) as unknown as { two: Uint8Array };
    expect(pb.Get.decode(raw.two)).toEqual({ row: b("x") });
  });

  it("decodes absent fields as absent (presence visible, no defaults filled in)", () => {
    expect(pb.ScanResponse.decode(new Uint8Array())).toEqual({});
    expect(pb.Get.decode(pb.Get.encode({ row: b("r") }))).toEqual({ row: b("r") });
  });

  describe("filters and comparators", () => {
    it("wrap each kind with HBase's class name and come back", () => {
      const cmp = encodeComparator("BinaryPrefixComparator", { comparable: { value: b("ab") } });
      expect(cmp.name).toBe("org.apache.hadoop.hbase.filter.BinaryPrefixComparator");
      expect(decodeComparator(cmp)).toEqual({ kind: "BinaryPrefixComparator", message: { comparable: { value: b("ab") } } });
      const cases = [
        encodeFilter("PrefixFilter", { prefix: b("p") }),
        encodeFilter("ColumnPrefixFilter", { prefix: b("c") }),
        encodeFilter("RowFilter", { compare_filter: { compare_op: CompareType.LESS, comparator: cmp } }),
        encodeFilter("QualifierFilter", { compare_filter: { compare_op: CompareType.EQUAL, comparator: cmp } }),
        encodeFilter("ValueFilter", { compare_filter: { compare_op: CompareType.NOT_EQUAL, comparator: encodeComparator("SubstringComparator", { substr: "x" }) } }),
        encodeFilter("FamilyFilter", { compare_filter: { compare_op: CompareType.EQUAL, comparator: cmp } }),
        encodeFilter("SingleColumnValueFilter", {
          column_family: b("f"),
          column_qualifier: b("q"),
          compare_op: CompareType.GREATER_OR_EQUAL,
          comparator: encodeComparator("BinaryComparator", { comparable: { value: b("5") } }),
          filter_if_missing: true,
          latest_version_only: true,
        }),
        encodeFilter("KeyOnlyFilter", { len_as_val: true }),
        encodeFilter("PageFilter", { page_size: 25n }),
        encodeFilter("FirstKeyOnlyFilter", {}),
      ];
      const nested = encodeFilter("FilterList", {
        operator: FilterListOperator.MUST_PASS_ALL,
        filters: [...cases, encodeFilter("FilterList", { operator: FilterListOperator.MUST_PASS_ONE, filters: cases.slice(0, 2) })],
      });
      const top = decodeFilter(nested);
      expect(top.kind).toBe("FilterList");
      if (top.kind !== "FilterList") throw new Error("unreachable");
      const kinds = (top.message.filters ?? []).map((f) => decodeFilter(f).kind);
      expect(kinds).toEqual([
        "PrefixFilter",
        "ColumnPrefixFilter",
        "RowFilter",
        "QualifierFilter",
        "ValueFilter",
        "FamilyFilter",
        "SingleColumnValueFilter",
        "KeyOnlyFilter",
        "PageFilter",
        "FirstKeyOnlyFilter",
        "FilterList",
      ]);
      const page = decodeFilter(cases[8]!);
      expect(page).toEqual({ kind: "PageFilter", message: { page_size: 25n } });
      const scvf = decodeFilter(cases[6]!);
      if (scvf.kind !== "SingleColumnValueFilter") throw new Error("unreachable");
      expect(decodeComparator(scvf.message.comparator)).toEqual({ kind: "BinaryComparator", message: { comparable: { value: b("5") } } });
    });

    it("refuses unknown classes with UnsupportedFilterError", () => {
      expect(() => decodeFilter({ name: "org.apache.hadoop.hbase.filter.FuzzyRowFilter" })).toThrow(UnsupportedFilterError);
      expect(() => decodeFilter({ name: "com.example.PrefixFilter" })).toThrow(UnsupportedFilterError);
      expect(() => decodeFilter({ name: "org.apache.hadoop.hbase.filter.toString" })).toThrow(UnsupportedFilterError);
      expect(() => decodeComparator({ name: "org.apache.hadoop.hbase.filter.RegexStringComparator" })).toThrow(UnsupportedFilterError);
    });

    it("decodes an empty serialized filter where the message allows it, and fails where it does not", () => {
      expect(decodeFilter({ name: "org.apache.hadoop.hbase.filter.FirstKeyOnlyFilter" })).toEqual({ kind: "FirstKeyOnlyFilter", message: {} });
      expect(() => decodeFilter({ name: "org.apache.hadoop.hbase.filter.PageFilter" })).toThrow(ProtobufCodecError);
    });
  });
});
