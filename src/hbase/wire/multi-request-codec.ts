/**
 * A hand-written protobuf coder of `MultiRequest` — the batched writes' message: RegionAction →
 * Action → MutationProto → ColumnValue → QualifierValue written and read directly with protobufjs'
 * `Writer` / `Reader`. Same rules and bytes as the generic conversion of `hbase-protos.ts` (longs as
 * bigints on decode, bigint or safe integer on encode, presence kept, unknown keys / missing required
 * fields / ill-typed values refused with `ProtobufCodecError`, unknown fields skipped). The parts that
 * are rare in batches — an Action's `get`, a mutation's `attribute` and `time_range`, HBase 2's
 * `condition` of a conditional Multi — go through the generic coders given to {@link multiRequestCodec}
 * (as bytes of the nested message). HBase 2's `nonceGroup` (2) and `condition` (3) are read and written.
 */
import protobuf from "protobufjs";
import { ProtobufCodecError } from "./protobuf-codec-error.js";
import type { RawCoder } from "./raw-coder.js";
import { checkKeys, fail, LDELIM, nestedEnd, readUint64, VARINT, writeUint64 } from "./result-codecs.js";

const { Reader, Writer } = protobuf;
type PbWriter = protobuf.Writer;
type PbReader = protobuf.Reader;
type Plain = Record<string, unknown>;
// Decoded messages are plain objects shaped as hbase-protos.ts' interfaces (which type them there:
// this file does not import that module, which imports it).
type Action = Plain;
type ColumnValue = Plain;
type MutationProto = Plain;
type QualifierValue = Plain;
type RegionAction = Plain;
type RegionSpecifier = Plain;

const textEncoder = new TextEncoder();

/** The generic coders used for the rare nested messages. */
export interface GenericCoders {
  readonly Get: RawCoder;
  readonly NameBytesPair: RawCoder;
  readonly TimeRange: RawCoder;
  /** `Condition` (HBase 2's conditional Multi, MultiRequest field 3). */
  readonly Condition: RawCoder;
}



function asMessage(v: unknown, typeName: string, key: string): Plain {
  if (typeof v !== "object" || v === null) fail(typeName, `field ${key} needs a message`);
  return v as Plain;
}

function asList(v: unknown, typeName: string, key: string): unknown[] {
  if (!Array.isArray(v)) fail(typeName, `field ${key} must be an array`);
  return v;
}

function bytesOf(v: unknown, typeName: string, key: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") return textEncoder.encode(v);
  fail(typeName, `field ${key} needs bytes`);
}

function enumOf(v: unknown, max: number, min: number, typeName: string, key: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) fail(typeName, `field ${key}: enum value expected`);
  return v;
}

function integerOf(v: unknown, typeName: string, key: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) fail(typeName, `field ${key}: integer expected`);
  return v;
}

// ---------------------------------------------------------------------------------------------------
// Encoding

const MULTI_KEYS: ReadonlySet<string> = new Set(["regionAction", "nonceGroup", "condition"]);
const REGION_ACTION_KEYS: ReadonlySet<string> = new Set(["region", "atomic", "action"]);
const SPECIFIER_KEYS: ReadonlySet<string> = new Set(["type", "value"]);
const ACTION_KEYS: ReadonlySet<string> = new Set(["index", "mutation", "get"]);
const MUTATION_KEYS: ReadonlySet<string> = new Set(["row", "mutate_type", "column_value", "timestamp", "attribute", "durability", "time_range", "associated_cell_count", "nonce"]);
const COLUMN_KEYS: ReadonlySet<string> = new Set(["family", "qualifier_value"]);
const QUALIFIER_KEYS: ReadonlySet<string> = new Set(["qualifier", "value", "timestamp", "delete_type"]);

function writeQualifierValue(w: PbWriter, q: Plain): void {
  const T = "QualifierValue";
  checkKeys(T, q, QUALIFIER_KEYS);
  if (q.qualifier != null) w.uint32((1 << 3) | LDELIM).bytes(bytesOf(q.qualifier, T, "qualifier"));
  if (q.value != null) w.uint32((2 << 3) | LDELIM).bytes(bytesOf(q.value, T, "value"));
  if (q.timestamp != null) writeUint64(w, (3 << 3) | VARINT, q.timestamp, T, "timestamp");
  if (q.delete_type != null) w.uint32((4 << 3) | VARINT).int32(enumOf(q.delete_type, 3, 0, T, "delete_type"));
}

function writeColumnValue(w: PbWriter, c: Plain): void {
  const T = "ColumnValue";
  checkKeys(T, c, COLUMN_KEYS);
  if (c.family == null) fail(T, "missing required field family");
  w.uint32((1 << 3) | LDELIM).bytes(bytesOf(c.family, T, "family"));
  if (c.qualifier_value != null) {
    for (const q of asList(c.qualifier_value, T, "qualifier_value")) {
      w.uint32((2 << 3) | LDELIM).fork();
      writeQualifierValue(w, asMessage(q, T, "qualifier_value"));
      w.ldelim();
    }
  }
}

function writeMutation(w: PbWriter, m: Plain, generic: GenericCoders): void {
  const T = "MutationProto";
  checkKeys(T, m, MUTATION_KEYS);
  if (m.row != null) w.uint32((1 << 3) | LDELIM).bytes(bytesOf(m.row, T, "row"));
  if (m.mutate_type != null) w.uint32((2 << 3) | VARINT).int32(enumOf(m.mutate_type, 3, 0, T, "mutate_type"));
  if (m.column_value != null) {
    for (const c of asList(m.column_value, T, "column_value")) {
      w.uint32((3 << 3) | LDELIM).fork();
      writeColumnValue(w, asMessage(c, T, "column_value"));
      w.ldelim();
    }
  }
  if (m.timestamp != null) writeUint64(w, (4 << 3) | VARINT, m.timestamp, T, "timestamp");
  if (m.attribute != null) {
    for (const a of asList(m.attribute, T, "attribute")) w.uint32((5 << 3) | LDELIM).bytes(generic.NameBytesPair.encode(asMessage(a, T, "attribute")));
  }
  if (m.durability != null) w.uint32((6 << 3) | VARINT).int32(enumOf(m.durability, 4, 0, T, "durability"));
  if (m.time_range != null) w.uint32((7 << 3) | LDELIM).bytes(generic.TimeRange.encode(asMessage(m.time_range, T, "time_range")));
  if (m.associated_cell_count != null) w.uint32((8 << 3) | VARINT).int32(integerOf(m.associated_cell_count, T, "associated_cell_count"));
  if (m.nonce != null) writeUint64(w, (9 << 3) | VARINT, m.nonce, T, "nonce");
}

function writeAction(w: PbWriter, a: Plain, generic: GenericCoders): void {
  const T = "Action";
  checkKeys(T, a, ACTION_KEYS);
  if (a.index != null) w.uint32((1 << 3) | VARINT).uint32(integerOf(a.index, T, "index"));
  if (a.mutation != null) {
    w.uint32((2 << 3) | LDELIM).fork();
    writeMutation(w, asMessage(a.mutation, T, "mutation"), generic);
    w.ldelim();
  }
  if (a.get != null) w.uint32((3 << 3) | LDELIM).bytes(generic.Get.encode(asMessage(a.get, T, "get")));
}

function writeRegionAction(w: PbWriter, ra: Plain, generic: GenericCoders): void {
  const T = "RegionAction";
  checkKeys(T, ra, REGION_ACTION_KEYS);
  if (ra.region == null) fail(T, "missing required field region");
  const spec = asMessage(ra.region, T, "region");
  checkKeys("RegionSpecifier", spec, SPECIFIER_KEYS);
  if (spec.type == null) fail("RegionSpecifier", "missing required field type");
  if (spec.value == null) fail("RegionSpecifier", "missing required field value");
  w.uint32((1 << 3) | LDELIM).fork();
  w.uint32((1 << 3) | VARINT).int32(enumOf(spec.type, 2, 1, "RegionSpecifier", "type"));
  w.uint32((2 << 3) | LDELIM).bytes(bytesOf(spec.value, "RegionSpecifier", "value"));
  w.ldelim();
  if (ra.atomic != null) {
    if (typeof ra.atomic !== "boolean") fail(T, "field atomic: boolean expected");
    w.uint32((2 << 3) | VARINT).bool(ra.atomic);
  }
  if (ra.action != null) {
    for (const a of asList(ra.action, T, "action")) {
      w.uint32((3 << 3) | LDELIM).fork();
      writeAction(w, asMessage(a, T, "action"), generic);
      w.ldelim();
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Decoding


/** The bytes of a nested message, for a generic coder (a view, as generic decoding gives). */
function nestedBytes(r: PbReader, end: number): Uint8Array {
  const e = nestedEnd(r, end);
  const bytes = r.buf.subarray(r.pos, e);
  r.pos = e;
  return bytes;
}

function readQualifierValue(r: PbReader, end: number): QualifierValue {
  const q: QualifierValue = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire !== LDELIM) break;
        q.qualifier = r.bytes();
        continue;
      case 2:
        if (wire !== LDELIM) break;
        q.value = r.bytes();
        continue;
      case 3:
        if (wire !== VARINT) break;
        q.timestamp = readUint64(r);
        continue;
      case 4:
        if (wire !== VARINT) break;
        q.delete_type = r.int32();
        continue;
    }
    r.skipType(wire);
  }
  return q;
}

function readColumnValue(r: PbReader, end: number): ColumnValue {
  let family: Uint8Array | undefined;
  let qualifiers: QualifierValue[] | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === LDELIM) family = r.bytes();
    else if (tag >>> 3 === 2 && wire === LDELIM) (qualifiers ??= []).push(readQualifierValue(r, nestedEnd(r, end)));
    else r.skipType(wire);
  }
  if (family === undefined) throw new ProtobufCodecError("ColumnValue", "missing required field family");
  return qualifiers === undefined ? { family } : { family, qualifier_value: qualifiers };
}

function readMutation(r: PbReader, end: number, generic: GenericCoders): MutationProto {
  const m: MutationProto = {};
  let columns: ColumnValue[] | undefined;
  let attributes: unknown[] | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wire !== LDELIM) break;
        m.row = r.bytes();
        continue;
      case 2:
        if (wire !== VARINT) break;
        m.mutate_type = r.int32();
        continue;
      case 3:
        if (wire !== LDELIM) break;
        (columns ??= []).push(readColumnValue(r, nestedEnd(r, end)));
        continue;
      case 4:
        if (wire !== VARINT) break;
        m.timestamp = readUint64(r);
        continue;
      case 5:
        if (wire !== LDELIM) break;
        (attributes ??= []).push(generic.NameBytesPair.decode(nestedBytes(r, end)));
        continue;
      case 6:
        if (wire !== VARINT) break;
        m.durability = r.int32();
        continue;
      case 7:
        if (wire !== LDELIM) break;
        m.time_range = generic.TimeRange.decode(nestedBytes(r, end));
        continue;
      case 8:
        if (wire !== VARINT) break;
        m.associated_cell_count = r.int32();
        continue;
      case 9:
        if (wire !== VARINT) break;
        m.nonce = readUint64(r);
        continue;
    }
    r.skipType(wire);
  }
  if (columns !== undefined) m.column_value = columns;
  if (attributes !== undefined) m.attribute = attributes;
  return m;
}

function readAction(r: PbReader, end: number, generic: GenericCoders): Action {
  const a: Action = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === VARINT) a.index = r.uint32();
    else if (tag >>> 3 === 2 && wire === LDELIM) a.mutation = readMutation(r, nestedEnd(r, end), generic);
    else if (tag >>> 3 === 3 && wire === LDELIM) a.get = generic.Get.decode(nestedBytes(r, end));
    else r.skipType(wire);
  }
  return a;
}

function readSpecifier(r: PbReader, end: number): RegionSpecifier {
  let type: number | undefined;
  let value: Uint8Array | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === VARINT) type = r.int32();
    else if (tag >>> 3 === 2 && wire === LDELIM) value = r.bytes();
    else r.skipType(wire);
  }
  if (type === undefined) throw new ProtobufCodecError("RegionSpecifier", "missing required field type");
  if (value === undefined) throw new ProtobufCodecError("RegionSpecifier", "missing required field value");
  return { type, value };
}

function readRegionAction(r: PbReader, end: number, generic: GenericCoders): RegionAction {
  let region: RegionSpecifier | undefined;
  let atomic: boolean | undefined;
  let actions: Action[] | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === LDELIM) region = readSpecifier(r, nestedEnd(r, end));
    else if (tag >>> 3 === 2 && wire === VARINT) atomic = r.bool();
    else if (tag >>> 3 === 3 && wire === LDELIM) (actions ??= []).push(readAction(r, nestedEnd(r, end), generic));
    else r.skipType(wire);
  }
  if (region === undefined) throw new ProtobufCodecError("RegionAction", "missing required field region");
  const out: RegionAction = { region };
  if (atomic !== undefined) out.atomic = atomic;
  if (actions !== undefined) out.action = actions;
  return out;
}

/** The `MultiRequest` coder; `generic` gives the coders of the rare nested messages. */
export function multiRequestCodec(generic: GenericCoders): RawCoder {
  const T = "MultiRequest";
  return {
    typeName: T,
    encode(value: unknown): Uint8Array {
      const m = asMessage(value, T, "(message)");
      checkKeys(T, m, MULTI_KEYS);
      const w = Writer.create();
      if (m.regionAction != null) {
        for (const ra of asList(m.regionAction, T, "regionAction")) {
          w.uint32((1 << 3) | LDELIM).fork();
          writeRegionAction(w, asMessage(ra, T, "regionAction"), generic);
          w.ldelim();
        }
      }
      if (m.nonceGroup != null) writeUint64(w, (2 << 3) | VARINT, m.nonceGroup, T, "nonceGroup");
      if (m.condition != null) w.uint32((3 << 3) | LDELIM).bytes(generic.Condition.encode(asMessage(m.condition, T, "condition")));
      const out = w.finish();
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },
    decode(bytes: Uint8Array): Plain {
      const view = Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
      try {
        const r = Reader.create(view);
        let actions: RegionAction[] | undefined;
        const out: Plain = {};
        while (r.pos < r.len) {
          const tag = r.uint32();
          const wire = tag & 7;
          if (tag >>> 3 === 1 && wire === LDELIM) (actions ??= []).push(readRegionAction(r, nestedEnd(r, r.len), generic));
          else if (tag >>> 3 === 2 && wire === VARINT) out.nonceGroup = readUint64(r);
          else if (tag >>> 3 === 3 && wire === LDELIM) out.condition = generic.Condition.decode(nestedBytes(r, r.len));
          else r.skipType(wire);
        }
        return actions === undefined ? out : { regionAction: actions, ...out };
      } catch (e) {
        if (e instanceof ProtobufCodecError) throw e;
        throw new ProtobufCodecError(T, e instanceof Error ? e.message : String(e));
      }
    },
  };
}
