/**
 * HBase's protobuf messages (package `hbase.pb` in HBase 2.x), loaded once at run time from the .proto
 * files the installed `hbase-rpc-client` package ships, with typed encode/decode for the messages Sluice
 * uses.
 *
 * Rules at this boundary (see README.md):
 * - Field names are the .proto names (snake_case as written there, e.g. `regionAction`), except that the
 *   1.x copies call `GetRequest.get` and `Action.get` `gxt`: here they are `get`, as in HBase.
 * - Every 64-bit integer field (uint64/int64: timestamps, region ids, scanner ids, start codes, page
 *   sizes) is a `bigint` when decoded; encoding takes a `bigint` or a safe-integer `number`. All other
 *   integers are `number`s. Enums are their numeric values (constants below).
 * - `bytes` fields decode to `Uint8Array` views that may share memory with the decoded buffer.
 * - Absent optional fields and empty repeated fields are left out of decoded objects (read repeated
 *   fields as `x ?? []`). Protobuf defaults are not filled in: presence is visible.
 * - Fields HBase 2.x added after the 1.x copies were written (e.g. `Scan.caching` = 17,
 *   `ScanResponse.more_results_in_region` = 8) are declared here with 2.x's numbers (`V2_FIELDS`).
 */
import { createRequire } from "node:module";
import path from "node:path";
import protobuf from "protobufjs";
import { ProtobufCodecError } from "./protobuf-codec-error.js";
import { cellCodec, getResponseCodec, multiResponseCodec, resultCodec, scanResponseCodec } from "./result-codecs.js";
import { multiRequestCodec } from "./multi-request-codec.js";
import type { RawCoder } from "./raw-coder.js";

// ---------------------------------------------------------------------------------------------------
// Loading

const PROTO_FILES = ["RPC.proto", "Client.proto", "HBase.proto", "Cell.proto", "Filter.proto", "Comparator.proto", "ZooKeeper.proto", "Master.proto", "Admin.proto"];

/** Fields of HBase 2.x's protos missing from the 1.x-era copies: [message, field, number, type, rule]. */
const V2_FIELDS: ReadonlyArray<readonly [string, string, number, string, "optional" | "repeated"]> = [
  ["Result", "stale", 4, "bool", "optional"],
  ["Result", "partial", 5, "bool", "optional"],
  ["MutationProto", "nonce", 9, "uint64", "optional"],
  ["MutateRequest", "nonce_group", 4, "uint64", "optional"],
  ["MultiRequest", "nonceGroup", 2, "uint64", "optional"],
  // HBase 2.0–2.3's conditional Multi (checkAndMutate of RowMutations): one atomic RegionAction
  ["MultiRequest", "condition", 3, "Condition", "optional"],
  ["MultiResponse", "processed", 2, "bool", "optional"],
  ["Scan", "caching", 17, "uint32", "optional"],
  ["Scan", "allow_partial_results", 18, "bool", "optional"],
  ["Scan", "mvcc_read_point", 20, "uint64", "optional"],
  ["Scan", "include_start_row", 21, "bool", "optional"],
  ["Scan", "include_stop_row", 22, "bool", "optional"],
  ["ScanRequest", "client_handles_partials", 7, "bool", "optional"],
  ["ScanRequest", "client_handles_heartbeats", 8, "bool", "optional"],
  ["ScanRequest", "track_scan_metrics", 9, "bool", "optional"],
  ["ScanRequest", "renew", 10, "bool", "optional"],
  ["ScanRequest", "limit_of_rows", 11, "uint32", "optional"],
  ["ScanResponse", "stale", 6, "bool", "optional"],
  ["ScanResponse", "partial_flag_per_result", 7, "bool", "repeated"],
  ["ScanResponse", "more_results_in_region", 8, "bool", "optional"],
  ["ScanResponse", "heartbeat_message", 9, "bool", "optional"],
  ["ScanResponse", "mvcc_read_point", 11, "uint64", "optional"],
  ["RequestHeader", "timeout", 7, "uint32", "optional"],
  ["ExceptionResponse", "server_overloaded", 6, "bool", "optional"],
  // enum RegionState.State in 2.x; a uint32 has the same varint encoding
  ["MetaRegionServer", "state", 3, "uint32", "optional"],
  ["Master", "info_port", 3, "uint32", "optional"],
  ["CreateTableRequest", "nonce_group", 3, "uint64", "optional"],
  ["CreateTableRequest", "nonce", 4, "uint64", "optional"],
  ["CreateTableResponse", "proc_id", 1, "uint64", "optional"],
  ["DeleteTableRequest", "nonce_group", 2, "uint64", "optional"],
  ["DeleteTableRequest", "nonce", 3, "uint64", "optional"],
  ["DeleteTableResponse", "proc_id", 1, "uint64", "optional"],
  ["GetTableDescriptorsRequest", "regex", 2, "string", "optional"],
  ["GetTableDescriptorsRequest", "include_sys_tables", 3, "bool", "optional"],
  ["GetTableDescriptorsRequest", "namespace", 4, "string", "optional"],
  ["GetTableNamesRequest", "regex", 1, "string", "optional"],
  ["GetTableNamesRequest", "include_sys_tables", 2, "bool", "optional"],
  ["GetTableNamesRequest", "namespace", 3, "string", "optional"],
  ["EnableTableRequest", "nonce_group", 2, "uint64", "optional"],
  ["EnableTableRequest", "nonce", 3, "uint64", "optional"],
  ["EnableTableResponse", "proc_id", 1, "uint64", "optional"],
  ["DisableTableRequest", "nonce_group", 2, "uint64", "optional"],
  ["DisableTableRequest", "nonce", 3, "uint64", "optional"],
  ["DisableTableResponse", "proc_id", 1, "uint64", "optional"],
  ["ModifyTableRequest", "nonce_group", 3, "uint64", "optional"],
  ["ModifyTableRequest", "nonce", 4, "uint64", "optional"],
  ["ModifyTableResponse", "proc_id", 1, "uint64", "optional"],
];

/**
 * Messages of HBase 2.x's Master.proto / HBase.proto that the 1.x-era copies lack entirely, declared at
 * run time with 2.x's names and numbers: [message, [field, number, type, rule][]]. Enums are declared
 * uint32 (same varint encoding). `TruncateTableRequest` spells its fields `tableName` and
 * `preserveSplits`, as 2.x does.
 */
const V2_MESSAGES: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, number, string, "optional" | "required" | "repeated"]>]> = [
  ["TableState", [["state", 1, "uint32", "required"]]],
  ["GetTableStateRequest", [["table_name", 1, "TableName", "required"]]],
  ["GetTableStateResponse", [["table_state", 1, "TableState", "required"]]],
  [
    "TruncateTableRequest",
    [
      ["tableName", 1, "TableName", "required"],
      ["preserveSplits", 2, "bool", "optional"],
      ["nonce_group", 3, "uint64", "optional"],
      ["nonce", 4, "uint64", "optional"],
    ],
  ],
  ["TruncateTableResponse", [["proc_id", 1, "uint64", "optional"]]],
  [
    "SplitTableRegionRequest",
    [
      ["region_info", 1, "RegionInfo", "required"],
      ["split_row", 2, "bytes", "optional"],
      ["nonce_group", 3, "uint64", "optional"],
      ["nonce", 4, "uint64", "optional"],
    ],
  ],
  ["SplitTableRegionResponse", [["proc_id", 1, "uint64", "optional"]]],
  ["GetProcedureResultRequest", [["proc_id", 1, "uint64", "required"]]],
  [
    "GetProcedureResultResponse",
    [
      ["state", 1, "uint32", "required"],
      ["submitted_time", 2, "uint64", "optional"],
      ["last_update", 3, "uint64", "optional"],
      ["result", 4, "bytes", "optional"],
    ],
  ],
];

/** The 1.x copies' field names that differ from HBase's (`gxt` for `get`): proto name → our name. */
const RENAMED: Readonly<Record<string, string>> = { gxt: "get" };

let rootCache: protobuf.Root | undefined;

/** The folder of the installed `hbase-rpc-client/proto/*.proto` files. */
export function protoDirectory(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve("hbase-rpc-client/proto/Client.proto"));
}

/** The protobufjs Root with HBase's messages (loaded on first use, then shared). */
export function hbaseProtoRoot(): protobuf.Root {
  if (rootCache) return rootCache;
  const dir = protoDirectory();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(dir, path.basename(target));
  root.loadSync(PROTO_FILES, { keepCase: true });
  for (const [message, fields] of V2_MESSAGES) {
    if (root.lookup(message) !== null) continue;
    const t = new protobuf.Type(message);
    for (const [name, id, type, rule] of fields) t.add(new protobuf.Field(name, id, type, rule === "optional" ? undefined : rule));
    root.add(t);
  }
  for (const [message, name, id, type, rule] of V2_FIELDS) {
    const t = root.lookupType(message);
    if (t.fields[name] === undefined && t.fieldsById[id] === undefined) t.add(new protobuf.Field(name, id, type, rule));
  }
  root.resolveAll();
  rootCache = root;
  return root;
}

// ---------------------------------------------------------------------------------------------------
// Errors and conversion

export { ProtobufCodecError };

const LONG_TYPES = new Set(["uint64", "int64", "sint64", "fixed64", "sfixed64"]);

type Plain = Record<string, unknown>;

function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(value);
  if (typeof value === "string") return BigInt(value);
  if (value !== null && typeof value === "object" && "low" in value && "high" in value) {
    const v = value as { low: number; high: number; unsigned?: boolean };
    const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
    return v.unsigned ? bits : BigInt.asIntN(64, bits);
  }
  throw new TypeError(`not a 64-bit integer: ${String(value)}`);
}

function toLongBits(value: unknown, field: protobuf.Field, typeName: string): { low: number; high: number; unsigned: boolean } {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) v = BigInt(value);
  else throw new ProtobufCodecError(typeName, `field ${field.name} needs a bigint or a safe integer, got ${String(value)}`);
  const unsigned = field.type === "uint64" || field.type === "fixed64";
  if (unsigned ? v < 0n || v >= 1n << 64n : v < -(1n << 63n) || v >= 1n << 63n) {
    throw new ProtobufCodecError(typeName, `field ${field.name} out of range: ${v}`);
  }
  const bits = BigInt.asUintN(64, v);
  return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0, unsigned };
}

function toBytes(value: unknown, field: protobuf.Field, typeName: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return new TextEncoder().encode(value);
  throw new ProtobufCodecError(typeName, `field ${field.name} needs bytes`);
}

/** How one field converts: a nested message, a 64-bit integer, bytes, or a value kept as is. */
interface FieldPlan {
  readonly field: protobuf.Field;
  /** The proto name (protobufjs object key). */
  readonly protoName: string;
  /** Our name (the TypeScript interfaces' key). */
  readonly key: string;
  readonly kind: "message" | "long" | "bytes" | "plain";
  readonly repeated: boolean;
  readonly required: boolean;
  readonly messageType: protobuf.Type | undefined;
}

interface TypePlan {
  readonly fields: readonly FieldPlan[];
  readonly byProtoName: ReadonlyMap<string, FieldPlan>;
  readonly byKey: ReadonlyMap<string, FieldPlan>;
}

const plans = new WeakMap<protobuf.Type, TypePlan>();

function planOf(type: protobuf.Type): TypePlan {
  let plan = plans.get(type);
  if (plan) return plan;
  const fields = type.fieldsArray.map((field): FieldPlan => {
    const messageType = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    return {
      field,
      protoName: field.name,
      key: RENAMED[field.name] ?? field.name,
      kind: messageType ? "message" : LONG_TYPES.has(field.type) ? "long" : field.type === "bytes" ? "bytes" : "plain",
      repeated: field.repeated,
      required: field.required,
      messageType,
    };
  });
  plan = { fields, byProtoName: new Map(fields.map((f) => [f.protoName, f])), byKey: new Map(fields.map((f) => [f.key, f])) };
  plans.set(type, plan);
  return plan;
}

/** A decoded protobufjs message → our plain object. Own keys are exactly the fields present on the wire. */
function fromPb(type: protobuf.Type, msg: Plain): Plain {
  const plan = planOf(type);
  const out: Plain = {};
  for (const name of Object.keys(msg)) {
    const f = plan.byProtoName.get(name);
    const raw = msg[name];
    if (!f || raw === undefined || raw === null) continue;
    if (f.repeated) {
      const list = raw as unknown[];
      if (list.length === 0) continue;
      if (f.kind === "plain" || f.kind === "bytes") out[f.key] = list;
      else {
        const converted = new Array<unknown>(list.length);
        for (let i = 0; i < list.length; i++) converted[i] = fromPbValue(f, list[i]);
        out[f.key] = converted;
      }
    } else {
      out[f.key] = fromPbValue(f, raw);
    }
  }
  return out;
}

function fromPbValue(f: FieldPlan, v: unknown): unknown {
  switch (f.kind) {
    case "message":
      return fromPb(f.messageType!, v as Plain);
    case "long":
      return toBigInt(v);
    default:
      return v; // bytes: already Uint8Array views (decode reads from a plain Uint8Array)
  }
}

/** Our plain object → an object protobufjs encodes, checking required and unknown fields. */
function toPb(type: protobuf.Type, obj: Plain): Plain {
  const plan = planOf(type);
  const out: Plain = {};
  for (const f of plan.fields) {
    const value = obj[f.key];
    if (value === undefined || value === null) {
      if (f.required) throw new ProtobufCodecError(type.name, `missing required field ${f.key}`);
      continue;
    }
    if (f.repeated) {
      if (!Array.isArray(value)) throw new ProtobufCodecError(type.name, `field ${f.key} must be an array`);
      if (f.kind === "plain") out[f.protoName] = value;
      else {
        const converted = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) converted[i] = toPbValue(type, f, value[i]);
        out[f.protoName] = converted;
      }
    } else {
      out[f.protoName] = toPbValue(type, f, value);
    }
  }
  for (const key in obj) {
    if (!plan.byKey.has(key) && obj[key] !== undefined) throw new ProtobufCodecError(type.name, `unknown field ${key}`);
  }
  return out;
}

function toPbValue(type: protobuf.Type, f: FieldPlan, v: unknown): unknown {
  switch (f.kind) {
    case "message":
      if (typeof v !== "object" || v === null) throw new ProtobufCodecError(type.name, `field ${f.key} needs a message`);
      return toPb(f.messageType!, v as Plain);
    case "long":
      return toLongBits(v, f.field, type.name);
    case "bytes":
      return toBytes(v, f.field, type.name);
    default:
      return v;
  }
}

/** Typed encode/decode of one message type. */
export interface MessageCodec<T> {
  /** The message's name in the .proto files. */
  readonly typeName: string;
  encode(message: T): Uint8Array;
  /** Throws `ProtobufCodecError` on bytes that are not this message (including a missing required field). */
  decode(bytes: Uint8Array): T;
}

function codec<T>(typeName: string): MessageCodec<T> {
  let type: protobuf.Type | undefined;
  const resolve = () => (type ??= hbaseProtoRoot().lookupType(typeName));
  return {
    typeName,
    encode(message: T): Uint8Array {
      const t = resolve();
      const pbObject = toPb(t, message as unknown as Plain);
      const err = t.verify(pbObject);
      if (err) throw new ProtobufCodecError(typeName, err);
      const out = t.encode(pbObject).finish();
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },
    decode(bytes: Uint8Array): T {
      const t = resolve();
      let msg: protobuf.Message;
      try {
        // a plain Uint8Array (not a Buffer) makes protobufjs return bytes fields as Uint8Array views
        msg = t.decode(Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes);
      } catch (e) {
        throw new ProtobufCodecError(typeName, e instanceof Error ? e.message : String(e));
      }
      return fromPb(t, msg as unknown as Plain) as T;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Enums

export const CompareType = { LESS: 0, LESS_OR_EQUAL: 1, EQUAL: 2, NOT_EQUAL: 3, GREATER_OR_EQUAL: 4, GREATER: 5, NO_OP: 6 } as const;
export type CompareTypeValue = (typeof CompareType)[keyof typeof CompareType];
export const CellType = { MINIMUM: 0, PUT: 4, DELETE: 8, DELETE_COLUMN: 12, DELETE_FAMILY: 14, MAXIMUM: 255 } as const;
export type CellTypeValue = (typeof CellType)[keyof typeof CellType];
export const RegionSpecifierType = { REGION_NAME: 1, ENCODED_REGION_NAME: 2 } as const;
export type RegionSpecifierTypeValue = (typeof RegionSpecifierType)[keyof typeof RegionSpecifierType];
export const MutationType = { APPEND: 0, INCREMENT: 1, PUT: 2, DELETE: 3 } as const;
export type MutationTypeValue = (typeof MutationType)[keyof typeof MutationType];
export const DeleteType = { DELETE_ONE_VERSION: 0, DELETE_MULTIPLE_VERSIONS: 1, DELETE_FAMILY: 2, DELETE_FAMILY_VERSION: 3 } as const;
export type DeleteTypeValue = (typeof DeleteType)[keyof typeof DeleteType];
export const Durability = { USE_DEFAULT: 0, SKIP_WAL: 1, ASYNC_WAL: 2, SYNC_WAL: 3, FSYNC_WAL: 4 } as const;
export type DurabilityValue = (typeof Durability)[keyof typeof Durability];
export const FilterListOperator = { MUST_PASS_ALL: 1, MUST_PASS_ONE: 2 } as const;
export type FilterListOperatorValue = (typeof FilterListOperator)[keyof typeof FilterListOperator];

/** HBase's "latest timestamp" (Long.MAX_VALUE): a cell timestamp meaning "server time now". */
export const LATEST_TIMESTAMP = (1n << 63n) - 1n;

// ---------------------------------------------------------------------------------------------------
// Messages (the parts Sluice uses; 64-bit fields: bigint decoded, bigint | number encoded)

type Long = bigint | number;

export interface UserInformation { effective_user: string; real_user?: string }
export interface ConnectionHeader {
  user_info?: UserInformation;
  service_name?: string;
  cell_block_codec_class?: string;
  cell_block_compressor_class?: string;
}
export interface CellBlockMeta { length?: number }
export interface ExceptionResponse {
  exception_class_name?: string;
  stack_trace?: string;
  hostname?: string;
  port?: number;
  do_not_retry?: boolean;
  server_overloaded?: boolean;
}
export interface RequestHeader {
  call_id?: number;
  method_name?: string;
  request_param?: boolean;
  cell_block_meta?: CellBlockMeta;
  priority?: number;
  timeout?: number;
}
export interface ResponseHeader { call_id?: number; exception?: ExceptionResponse; cell_block_meta?: CellBlockMeta }

export interface TableName { namespace: Uint8Array; qualifier: Uint8Array }
export interface ServerName { host_name: string; port?: number; start_code?: Long }
export interface RegionInfo {
  region_id: Long;
  table_name: TableName;
  start_key?: Uint8Array;
  end_key?: Uint8Array;
  offline?: boolean;
  split?: boolean;
}
export interface RegionSpecifier { type: RegionSpecifierTypeValue; value: Uint8Array }
export interface TimeRange { from?: Long; to?: Long }
export interface NameBytesPair { name: string; value?: Uint8Array }
export interface BytesBytesPair { first: Uint8Array; second: Uint8Array }
export interface NameStringPair { name: string; value: string }
export interface ColumnFamilySchema { name: Uint8Array; attributes?: BytesBytesPair[]; configuration?: NameStringPair[] }
export interface TableSchema {
  table_name?: TableName;
  attributes?: BytesBytesPair[];
  column_families?: ColumnFamilySchema[];
  configuration?: NameStringPair[];
}

export interface Cell {
  row?: Uint8Array;
  family?: Uint8Array;
  qualifier?: Uint8Array;
  timestamp?: Long;
  cell_type?: CellTypeValue;
  value?: Uint8Array;
}

export interface Comparator { name: string; serialized_comparator?: Uint8Array }
export interface ByteArrayComparable { value?: Uint8Array }
export interface BinaryComparator { comparable: ByteArrayComparable }
export interface BinaryPrefixComparator { comparable: ByteArrayComparable }
export interface SubstringComparator { substr: string }
export interface NullComparator {}

export interface Filter { name: string; serialized_filter?: Uint8Array }
export interface CompareFilter { compare_op: CompareTypeValue; comparator?: Comparator }
export interface PrefixFilter { prefix?: Uint8Array }
export interface ColumnPrefixFilter { prefix: Uint8Array }
export interface RowFilter { compare_filter: CompareFilter }
export interface QualifierFilter { compare_filter: CompareFilter }
export interface ValueFilter { compare_filter: CompareFilter }
export interface FamilyFilter { compare_filter: CompareFilter }
export interface SingleColumnValueFilter {
  column_family?: Uint8Array;
  column_qualifier?: Uint8Array;
  compare_op: CompareTypeValue;
  comparator: Comparator;
  filter_if_missing?: boolean;
  latest_version_only?: boolean;
}
export interface KeyOnlyFilter { len_as_val: boolean }
export interface PageFilter { page_size: Long }
export interface FirstKeyOnlyFilter {}
export interface FilterList { operator: FilterListOperatorValue; filters?: Filter[] }

export interface Column { family: Uint8Array; qualifier?: Uint8Array[] }
export interface Get {
  row: Uint8Array;
  column?: Column[];
  attribute?: NameBytesPair[];
  filter?: Filter;
  time_range?: TimeRange;
  max_versions?: number;
  cache_blocks?: boolean;
  store_limit?: number;
  store_offset?: number;
  existence_only?: boolean;
  closest_row_before?: boolean;
}
export interface Result { cell?: Cell[]; associated_cell_count?: number; exists?: boolean; stale?: boolean; partial?: boolean }
export interface GetRequest { region: RegionSpecifier; get: Get }
export interface GetResponse { result?: Result }

export interface Condition {
  row: Uint8Array;
  family: Uint8Array;
  qualifier: Uint8Array;
  compare_type: CompareTypeValue;
  comparator: Comparator;
}
export interface QualifierValue { qualifier?: Uint8Array; value?: Uint8Array; timestamp?: Long; delete_type?: DeleteTypeValue }
export interface ColumnValue { family: Uint8Array; qualifier_value?: QualifierValue[] }
export interface MutationProto {
  row?: Uint8Array;
  mutate_type?: MutationTypeValue;
  column_value?: ColumnValue[];
  timestamp?: Long;
  attribute?: NameBytesPair[];
  durability?: DurabilityValue;
  time_range?: TimeRange;
  associated_cell_count?: number;
  nonce?: Long;
}
export interface MutateRequest { region: RegionSpecifier; mutation: MutationProto; condition?: Condition; nonce_group?: Long }
export interface MutateResponse { result?: Result; processed?: boolean }

export interface Scan {
  column?: Column[];
  attribute?: NameBytesPair[];
  start_row?: Uint8Array;
  stop_row?: Uint8Array;
  filter?: Filter;
  time_range?: TimeRange;
  max_versions?: number;
  cache_blocks?: boolean;
  batch_size?: number;
  max_result_size?: Long;
  store_limit?: number;
  store_offset?: number;
  load_column_families_on_demand?: boolean;
  small?: boolean;
  reversed?: boolean;
  caching?: number;
  allow_partial_results?: boolean;
  mvcc_read_point?: Long;
  include_start_row?: boolean;
  include_stop_row?: boolean;
}
export interface ScanRequest {
  region?: RegionSpecifier;
  scan?: Scan;
  scanner_id?: Long;
  number_of_rows?: number;
  close_scanner?: boolean;
  next_call_seq?: Long;
  client_handles_partials?: boolean;
  client_handles_heartbeats?: boolean;
  track_scan_metrics?: boolean;
  renew?: boolean;
  limit_of_rows?: number;
}
export interface ScanResponse {
  cells_per_result?: number[];
  scanner_id?: Long;
  more_results?: boolean;
  ttl?: number;
  results?: Result[];
  stale?: boolean;
  partial_flag_per_result?: boolean[];
  more_results_in_region?: boolean;
  heartbeat_message?: boolean;
  mvcc_read_point?: Long;
}

export interface Action { index?: number; mutation?: MutationProto; get?: Get }
export interface RegionAction { region: RegionSpecifier; atomic?: boolean; action?: Action[] }
export interface ResultOrException { index?: number; result?: Result; exception?: NameBytesPair }
export interface RegionActionResult { resultOrException?: ResultOrException[]; exception?: NameBytesPair }
/** `nonceGroup`, `condition`: HBase 2.x's (a `condition` makes the one atomic RegionAction conditional). */
export interface MultiRequest { regionAction?: RegionAction[]; nonceGroup?: Long; condition?: Condition }
/** `processed`: HBase 2.x's answer to a conditional Multi (whether the condition held and it applied). */
export interface MultiResponse { regionActionResult?: RegionActionResult[]; processed?: boolean }

/** `state`: HBase 2's RegionState.State of hbase:meta's region (numeric enum value). */
export interface MetaRegionServer { server: ServerName; rpc_version?: number; state?: number }
export interface Master { master: ServerName; rpc_version?: number; info_port?: number }

export interface CreateTableRequest { table_schema: TableSchema; split_keys?: Uint8Array[]; nonce_group?: Long; nonce?: Long }
export interface CreateTableResponse { proc_id?: Long }
export interface DeleteTableRequest { table_name: TableName; nonce_group?: Long; nonce?: Long }
export interface DeleteTableResponse { proc_id?: Long }
export interface EnableTableRequest { table_name: TableName }
export interface EnableTableResponse {}
export interface DisableTableRequest { table_name: TableName }
export interface DisableTableResponse {}
export interface GetTableDescriptorsRequest { table_names?: TableName[]; regex?: string; include_sys_tables?: boolean; namespace?: string }
export interface GetTableDescriptorsResponse { table_schema?: TableSchema[] }
export interface GetTableNamesRequest { regex?: string; include_sys_tables?: boolean; namespace?: string }
export interface GetTableNamesResponse { table_names?: TableName[] }
export interface ModifyTableRequest { table_name: TableName; table_schema: TableSchema; nonce_group?: Long; nonce?: Long }
export interface ModifyTableResponse { proc_id?: Long }
export interface IsMasterRunningRequest {}
export interface IsMasterRunningResponse { is_master_running: boolean }
/** HBase 2's TableState.State. */
export const TableStateValue = { ENABLED: 0, DISABLED: 1, DISABLING: 2, ENABLING: 3 } as const;
export interface TableState { state: number }
export interface GetTableStateRequest { table_name: TableName }
export interface GetTableStateResponse { table_state: TableState }
/** HBase 2.x: `tableName` and `preserveSplits` (camelCase in its Master.proto). */
export interface TruncateTableRequest { tableName: TableName; preserveSplits?: boolean; nonce_group?: Long; nonce?: Long }
export interface TruncateTableResponse { proc_id?: Long }
/** HBase 2.x's MasterService.SplitRegion request (Admin.split with a split point). */
export interface SplitTableRegionRequest { region_info: RegionInfo; split_row?: Uint8Array; nonce_group?: Long; nonce?: Long }
export interface SplitTableRegionResponse { proc_id?: Long }
/** HBase 2's GetProcedureResultResponse.State. */
export const ProcedureState = { NOT_FOUND: 0, RUNNING: 1, FINISHED: 2 } as const;
export interface GetProcedureResultRequest { proc_id: Long }
export interface GetProcedureResultResponse { state: number; submitted_time?: Long; last_update?: Long; result?: Uint8Array }

// AdminService (Admin.proto, region server side)
/** GetRegionInfoResponse.CompactionState. */
export const CompactionStateValue = { NONE: 0, MINOR: 1, MAJOR: 2, MAJOR_AND_MINOR: 3 } as const;
export interface GetRegionInfoRequest { region: RegionSpecifier; compaction_state?: boolean }
export interface GetRegionInfoResponse { region_info: RegionInfo; compaction_state?: number; isRecovering?: boolean }
/** HBase 1.x's split: sent to the region server holding the region. */
export interface SplitRegionRequest { region: RegionSpecifier; split_point?: Uint8Array }
export interface SplitRegionResponse {}
export interface CompactRegionRequest { region: RegionSpecifier; major?: boolean; family?: Uint8Array }
export interface CompactRegionResponse {}

// ---------------------------------------------------------------------------------------------------
// Codecs (Cell, Result, GetResponse, ScanResponse, MultiResponse: the hand-written coders of result-codecs.ts;
// MultiRequest: multi-request-codec.ts)

const GENERIC_GET = codec<Get>("Get");

/** A hand-written coder typed as the message's codec (it follows the same rules; see README.md). */
function typed<T>(coder: RawCoder): MessageCodec<T> {
  return coder as MessageCodec<T>;
}

export const pb = {
  UserInformation: codec<UserInformation>("UserInformation"),
  ConnectionHeader: codec<ConnectionHeader>("ConnectionHeader"),
  ExceptionResponse: codec<ExceptionResponse>("ExceptionResponse"),
  RequestHeader: codec<RequestHeader>("RequestHeader"),
  ResponseHeader: codec<ResponseHeader>("ResponseHeader"),
  TableName: codec<TableName>("TableName"),
  ServerName: codec<ServerName>("ServerName"),
  RegionInfo: codec<RegionInfo>("RegionInfo"),
  RegionSpecifier: codec<RegionSpecifier>("RegionSpecifier"),
  TableSchema: codec<TableSchema>("TableSchema"),
  Cell: typed<Cell>(cellCodec),
  Comparator: codec<Comparator>("Comparator"),
  BinaryComparator: codec<BinaryComparator>("BinaryComparator"),
  BinaryPrefixComparator: codec<BinaryPrefixComparator>("BinaryPrefixComparator"),
  SubstringComparator: codec<SubstringComparator>("SubstringComparator"),
  NullComparator: codec<NullComparator>("NullComparator"),
  Filter: codec<Filter>("Filter"),
  PrefixFilter: codec<PrefixFilter>("PrefixFilter"),
  ColumnPrefixFilter: codec<ColumnPrefixFilter>("ColumnPrefixFilter"),
  RowFilter: codec<RowFilter>("RowFilter"),
  QualifierFilter: codec<QualifierFilter>("QualifierFilter"),
  ValueFilter: codec<ValueFilter>("ValueFilter"),
  FamilyFilter: codec<FamilyFilter>("FamilyFilter"),
  SingleColumnValueFilter: codec<SingleColumnValueFilter>("SingleColumnValueFilter"),
  KeyOnlyFilter: codec<KeyOnlyFilter>("KeyOnlyFilter"),
  PageFilter: codec<PageFilter>("PageFilter"),
  FirstKeyOnlyFilter: codec<FirstKeyOnlyFilter>("FirstKeyOnlyFilter"),
  FilterList: codec<FilterList>("FilterList"),
  Get: GENERIC_GET,
  Result: typed<Result>(resultCodec),
  GetRequest: codec<GetRequest>("GetRequest"),
  GetResponse: typed<GetResponse>(getResponseCodec),
  MutationProto: codec<MutationProto>("MutationProto"),
  MutateRequest: codec<MutateRequest>("MutateRequest"),
  MutateResponse: codec<MutateResponse>("MutateResponse"),
  Scan: codec<Scan>("Scan"),
  ScanRequest: codec<ScanRequest>("ScanRequest"),
  ScanResponse: typed<ScanResponse>(scanResponseCodec),
  MultiRequest: typed<MultiRequest>(multiRequestCodec({ Get: GENERIC_GET, NameBytesPair: codec<NameBytesPair>("NameBytesPair"), TimeRange: codec<TimeRange>("TimeRange"), Condition: codec<Condition>("Condition") })),
  MultiResponse: typed<MultiResponse>(multiResponseCodec),
  MetaRegionServer: codec<MetaRegionServer>("MetaRegionServer"),
  Master: codec<Master>("Master"),
  CreateTableRequest: codec<CreateTableRequest>("CreateTableRequest"),
  CreateTableResponse: codec<CreateTableResponse>("CreateTableResponse"),
  DeleteTableRequest: codec<DeleteTableRequest>("DeleteTableRequest"),
  DeleteTableResponse: codec<DeleteTableResponse>("DeleteTableResponse"),
  EnableTableRequest: codec<EnableTableRequest>("EnableTableRequest"),
  EnableTableResponse: codec<EnableTableResponse>("EnableTableResponse"),
  DisableTableRequest: codec<DisableTableRequest>("DisableTableRequest"),
  DisableTableResponse: codec<DisableTableResponse>("DisableTableResponse"),
  GetTableDescriptorsRequest: codec<GetTableDescriptorsRequest>("GetTableDescriptorsRequest"),
  GetTableDescriptorsResponse: codec<GetTableDescriptorsResponse>("GetTableDescriptorsResponse"),
  GetTableNamesRequest: codec<GetTableNamesRequest>("GetTableNamesRequest"),
  GetTableNamesResponse: codec<GetTableNamesResponse>("GetTableNamesResponse"),
  ModifyTableRequest: codec<ModifyTableRequest>("ModifyTableRequest"),
  ModifyTableResponse: codec<ModifyTableResponse>("ModifyTableResponse"),
  IsMasterRunningRequest: codec<IsMasterRunningRequest>("IsMasterRunningRequest"),
  IsMasterRunningResponse: codec<IsMasterRunningResponse>("IsMasterRunningResponse"),
  GetTableStateRequest: codec<GetTableStateRequest>("GetTableStateRequest"),
  GetTableStateResponse: codec<GetTableStateResponse>("GetTableStateResponse"),
  TruncateTableRequest: codec<TruncateTableRequest>("TruncateTableRequest"),
  TruncateTableResponse: codec<TruncateTableResponse>("TruncateTableResponse"),
  SplitTableRegionRequest: codec<SplitTableRegionRequest>("SplitTableRegionRequest"),
  SplitTableRegionResponse: codec<SplitTableRegionResponse>("SplitTableRegionResponse"),
  GetProcedureResultRequest: codec<GetProcedureResultRequest>("GetProcedureResultRequest"),
  GetProcedureResultResponse: codec<GetProcedureResultResponse>("GetProcedureResultResponse"),
  GetRegionInfoRequest: codec<GetRegionInfoRequest>("GetRegionInfoRequest"),
  GetRegionInfoResponse: codec<GetRegionInfoResponse>("GetRegionInfoResponse"),
  SplitRegionRequest: codec<SplitRegionRequest>("SplitRegionRequest"),
  SplitRegionResponse: codec<SplitRegionResponse>("SplitRegionResponse"),
  CompactRegionRequest: codec<CompactRegionRequest>("CompactRegionRequest"),
  CompactRegionResponse: codec<CompactRegionResponse>("CompactRegionResponse"),
} as const;

// ---------------------------------------------------------------------------------------------------
// Services: method → request/response codecs

interface MethodCodecs<Req, Res> { request: MessageCodec<Req>; response: MessageCodec<Res> }

export const CLIENT_SERVICE = {
  Get: { request: pb.GetRequest, response: pb.GetResponse } as MethodCodecs<GetRequest, GetResponse>,
  Mutate: { request: pb.MutateRequest, response: pb.MutateResponse } as MethodCodecs<MutateRequest, MutateResponse>,
  Scan: { request: pb.ScanRequest, response: pb.ScanResponse } as MethodCodecs<ScanRequest, ScanResponse>,
  Multi: { request: pb.MultiRequest, response: pb.MultiResponse } as MethodCodecs<MultiRequest, MultiResponse>,
};

export const MASTER_SERVICE = {
  CreateTable: { request: pb.CreateTableRequest, response: pb.CreateTableResponse } as MethodCodecs<CreateTableRequest, CreateTableResponse>,
  DeleteTable: { request: pb.DeleteTableRequest, response: pb.DeleteTableResponse } as MethodCodecs<DeleteTableRequest, DeleteTableResponse>,
  EnableTable: { request: pb.EnableTableRequest, response: pb.EnableTableResponse } as MethodCodecs<EnableTableRequest, EnableTableResponse>,
  DisableTable: { request: pb.DisableTableRequest, response: pb.DisableTableResponse } as MethodCodecs<DisableTableRequest, DisableTableResponse>,
  GetTableDescriptors: {
    request: pb.GetTableDescriptorsRequest,
    response: pb.GetTableDescriptorsResponse,
  } as MethodCodecs<GetTableDescriptorsRequest, GetTableDescriptorsResponse>,
  GetTableNames: { request: pb.GetTableNamesRequest, response: pb.GetTableNamesResponse } as MethodCodecs<GetTableNamesRequest, GetTableNamesResponse>,
  ModifyTable: { request: pb.ModifyTableRequest, response: pb.ModifyTableResponse } as MethodCodecs<ModifyTableRequest, ModifyTableResponse>,
  IsMasterRunning: { request: pb.IsMasterRunningRequest, response: pb.IsMasterRunningResponse } as MethodCodecs<IsMasterRunningRequest, IsMasterRunningResponse>,
  GetTableState: { request: pb.GetTableStateRequest, response: pb.GetTableStateResponse } as MethodCodecs<GetTableStateRequest, GetTableStateResponse>,
  /** Spelled with a lower-case `t` in HBase 2's Master.proto, and so on the wire. */
  truncateTable: { request: pb.TruncateTableRequest, response: pb.TruncateTableResponse } as MethodCodecs<TruncateTableRequest, TruncateTableResponse>,
  /** HBase 2's Admin.split(table, splitPoint) (SplitTableRegionRequest). */
  SplitRegion: { request: pb.SplitTableRegionRequest, response: pb.SplitTableRegionResponse } as MethodCodecs<SplitTableRegionRequest, SplitTableRegionResponse>,
  /** Spelled with a lower-case `g` in HBase 2's Master.proto, and so on the wire. */
  getProcedureResult: {
    request: pb.GetProcedureResultRequest,
    response: pb.GetProcedureResultResponse,
  } as MethodCodecs<GetProcedureResultRequest, GetProcedureResultResponse>,
};

/** AdminService: the region server's admin calls. */
export const ADMIN_SERVICE = {
  GetRegionInfo: { request: pb.GetRegionInfoRequest, response: pb.GetRegionInfoResponse } as MethodCodecs<GetRegionInfoRequest, GetRegionInfoResponse>,
  /** HBase 1.x's Admin.split (2.x sends MasterService.SplitRegion instead). */
  SplitRegion: { request: pb.SplitRegionRequest, response: pb.SplitRegionResponse } as MethodCodecs<SplitRegionRequest, SplitRegionResponse>,
  CompactRegion: { request: pb.CompactRegionRequest, response: pb.CompactRegionResponse } as MethodCodecs<CompactRegionRequest, CompactRegionResponse>,
};

export type ServiceName = "ClientService" | "MasterService" | "AdminService";
export const SERVICES = { ClientService: CLIENT_SERVICE, MasterService: MASTER_SERVICE, AdminService: ADMIN_SERVICE } as const;
export type ServiceMethods<S extends ServiceName> = (typeof SERVICES)[S];
export type MethodName<S extends ServiceName> = keyof ServiceMethods<S> & string;
export type RequestOf<S extends ServiceName, M extends MethodName<S>> =
  ServiceMethods<S>[M] extends MethodCodecs<infer Req, unknown> ? Req : never;
export type ResponseOf<S extends ServiceName, M extends MethodName<S>> =
  ServiceMethods<S>[M] extends MethodCodecs<unknown, infer Res> ? Res : never;

// ---------------------------------------------------------------------------------------------------
// Filters and comparators: {name: "org.apache.hadoop.hbase.filter.<Class>", serialized_<...>}

export const FILTER_PACKAGE = "org.apache.hadoop.hbase.filter.";

interface FilterMessages {
  PrefixFilter: PrefixFilter;
  ColumnPrefixFilter: ColumnPrefixFilter;
  RowFilter: RowFilter;
  QualifierFilter: QualifierFilter;
  ValueFilter: ValueFilter;
  FamilyFilter: FamilyFilter;
  SingleColumnValueFilter: SingleColumnValueFilter;
  KeyOnlyFilter: KeyOnlyFilter;
  PageFilter: PageFilter;
  FirstKeyOnlyFilter: FirstKeyOnlyFilter;
  FilterList: FilterList;
}
export type FilterKind = keyof FilterMessages;
/** A decoded filter: its class (short name) and its message. */
export type DecodedFilter = { [K in FilterKind]: { kind: K; message: FilterMessages[K] } }[FilterKind];

interface ComparatorMessages {
  BinaryComparator: BinaryComparator;
  BinaryPrefixComparator: BinaryPrefixComparator;
  SubstringComparator: SubstringComparator;
  NullComparator: NullComparator;
}
export type ComparatorKind = keyof ComparatorMessages;
export type DecodedComparator = { [K in ComparatorKind]: { kind: K; message: ComparatorMessages[K] } }[ComparatorKind];

const FILTER_CODECS: { [K in FilterKind]: MessageCodec<FilterMessages[K]> } = {
  PrefixFilter: pb.PrefixFilter,
  ColumnPrefixFilter: pb.ColumnPrefixFilter,
  RowFilter: pb.RowFilter,
  QualifierFilter: pb.QualifierFilter,
  ValueFilter: pb.ValueFilter,
  FamilyFilter: pb.FamilyFilter,
  SingleColumnValueFilter: pb.SingleColumnValueFilter,
  KeyOnlyFilter: pb.KeyOnlyFilter,
  PageFilter: pb.PageFilter,
  FirstKeyOnlyFilter: pb.FirstKeyOnlyFilter,
  FilterList: pb.FilterList,
};
const COMPARATOR_CODECS: { [K in ComparatorKind]: MessageCodec<ComparatorMessages[K]> } = {
  BinaryComparator: pb.BinaryComparator,
  BinaryPrefixComparator: pb.BinaryPrefixComparator,
  SubstringComparator: pb.SubstringComparator,
  NullComparator: pb.NullComparator,
};

/** An HBase filter or comparator class this module does not know. */
export class UnsupportedFilterError extends Error {
  override readonly name = "UnsupportedFilterError";
  constructor(readonly className: string) {
    super(`unsupported filter or comparator: ${className}`);
  }
}

export function encodeFilter<K extends FilterKind>(kind: K, message: FilterMessages[K]): Filter {
  const c = FILTER_CODECS[kind] as MessageCodec<FilterMessages[K]>;
  return { name: FILTER_PACKAGE + kind, serialized_filter: c.encode(message) };
}

/** Throws `UnsupportedFilterError` for a class outside the list, `ProtobufCodecError` for bad bytes. */
export function decodeFilter(filter: Filter): DecodedFilter {
  const kind = filter.name.startsWith(FILTER_PACKAGE) ? filter.name.slice(FILTER_PACKAGE.length) : "";
  if (!Object.prototype.hasOwnProperty.call(FILTER_CODECS, kind)) throw new UnsupportedFilterError(filter.name);
  const k = kind as FilterKind;
  return { kind: k, message: FILTER_CODECS[k].decode(filter.serialized_filter ?? new Uint8Array()) } as DecodedFilter;
}

export function encodeComparator<K extends ComparatorKind>(kind: K, message: ComparatorMessages[K]): Comparator {
  const c = COMPARATOR_CODECS[kind] as MessageCodec<ComparatorMessages[K]>;
  return { name: FILTER_PACKAGE + kind, serialized_comparator: c.encode(message) };
}

export function decodeComparator(comparator: Comparator): DecodedComparator {
  const kind = comparator.name.startsWith(FILTER_PACKAGE) ? comparator.name.slice(FILTER_PACKAGE.length) : "";
  if (!Object.prototype.hasOwnProperty.call(COMPARATOR_CODECS, kind)) throw new UnsupportedFilterError(comparator.name);
  const k = kind as ComparatorKind;
  return { kind: k, message: COMPARATOR_CODECS[k].decode(comparator.serialized_comparator ?? new Uint8Array()) } as DecodedComparator;
}
