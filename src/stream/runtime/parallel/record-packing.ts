/**
 * A compact transfer of records between threads. Structured clone costs about a microsecond per small
 * object to write and more to read; records that are flat plain objects of numbers with one shape (a
 * window result `{ auction, count, start, end }`, a sensor reading) instead travel as one
 * `Float64Array` (transferred, not copied, when large) plus the field names once per batch, and are rebuilt as
 * equal objects (same own properties in the same order, same number values, `-0` and `NaN` included).
 *
 * A batch of events becomes a {@link PackedEvents}: one byte per event saying where it is — 0 the next
 * packed record, 1 the next packed partial accumulator of pre-aggregation (key and accumulator numbers:
 * a count, a min, a max), 2 the next of the other events (other shapes, strings, nested objects, class
 * instances, records whose key or timestamp is not a number, control events), which are structured-cloned
 * as before. (A byte array, not an array of small numbers: cloning a JS array costs ~0.2 µs per item, a
 * byte array almost nothing.) The first packable record of a batch sets its shape.
 */
import type { InputEvent, OutputEvent, PackedEvents } from "./worker-protocol.js";

/** Where an event of a packed batch is: {@link PackedEvents.kinds}. */
const PACKED_RECORD = 0;
const PACKED_PARTIAL = 1;
const OTHER = 2;

/** Buffers at least this large are transferred (moved); smaller ones are copied. */
const TRANSFER_ABOVE = 64 * 1024;


/**
 * A plain object: its prototype is `Object.prototype` of any realm (a notebook cell's objects may come
 * from another one) or null — what structured clone turns into a plain object too. Arrays and class
 * instances are not.
 */
function isPlainObject(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
}

/** The value's own field names when it is a plain object of numbers that can be rebuilt by assignment. */
function shapeOf(value: unknown): string[] | undefined {
  if (!isPlainObject(value)) return undefined;
  const fields: string[] = [];
  for (const name in value) {
    if (name === "__proto__" || !Object.hasOwn(value, name)) return undefined;
    if (typeof (value as Record<string, unknown>)[name] !== "number") return undefined;
    fields.push(name);
  }
  return fields.length === 0 ? undefined : fields;
}

/** Whether `value` has exactly `fields` (in order), all numbers; if so, writes them at `out[at…]`. */
function writeShape(value: unknown, fields: readonly string[], out: Float64Array, at: number): boolean {
  if (!isPlainObject(value)) return false;
  let k = 0;
  for (const name in value) {
    if (k >= fields.length || fields[k] !== name) return false;
    const v = (value as Record<string, unknown>)[name];
    if (typeof v !== "number") return false;
    out[at + k] = v;
    k++;
  }
  return k === fields.length;
}

function readShape(fields: readonly string[], numbers: Float64Array, at: number): Record<string, number> {
  const value: Record<string, number> = {};
  for (let k = 0; k < fields.length; k++) value[fields[k]!] = numbers[at + k]!;
  return value;
}

/**
 * Packs input events: records `[0, key, value, timestamp]` with a number key and timestamp and a flat
 * numeric value of the batch's shape. Returns the packing and the buffers to transfer.
 */
export function packInputs(events: readonly InputEvent[]): { packed: PackedEvents<InputEvent>; transfer: ArrayBuffer[] } {
  return pack(events, 2);
}

/** Packs output events: records `[0, value, timestamp]` with a number timestamp and a flat numeric value. */
export function packOutputs(events: readonly OutputEvent[]): { packed: PackedEvents<OutputEvent>; transfer: ArrayBuffer[] } {
  return pack(events, 1);
}

/** Rebuilds the input events {@link packInputs} packed. */
export function unpackInputs(packed: PackedEvents<InputEvent>): InputEvent[] {
  return unpack(packed, 2) as InputEvent[];
}

/** Rebuilds the output events {@link packOutputs} packed. */
export function unpackOutputs(packed: PackedEvents<OutputEvent>): OutputEvent[] {
  return unpack(packed, 1) as OutputEvent[];
}

/** `valueAt` 2: input records (key at 1, timestamp at 3); 1: output records (timestamp at 2). */
function pack<E extends InputEvent | OutputEvent>(events: readonly E[], valueAt: 1 | 2): { packed: PackedEvents<E>; transfer: ArrayBuffer[] } {
  const keyed = valueAt === 2;
  const head = keyed ? 2 : 1; // numbers before the fields: [key,] timestamp
  let fields: string[] | undefined;
  let count = 0;
  let partialCount = 0;
  // The shape: the first record that could be packed; then how many have it (an upper bound).
  for (const e of events) {
    if (e[0] === 4) {
      if (typeof e[1] === "number" && typeof e[3] === "number") partialCount++;
      continue;
    }
    if (e[0] !== 0) continue;
    if (fields === undefined) {
      if (keyed && typeof e[1] !== "number") continue;
      if (typeof e[valueAt + 1] !== "number") continue;
      fields = shapeOf(e[valueAt]);
      if (fields === undefined) continue;
    }
    count++;
  }
  if (fields === undefined || count < 2) fields = undefined;
  if (fields === undefined && partialCount < 2) {
    return { packed: { events, kinds: undefined, others: [], fields: [], numbers: undefined, partials: undefined }, transfer: [] };
  }
  const stride = head + (fields?.length ?? 0);
  const numbers = fields === undefined ? undefined : new Float64Array(count * stride);
  const partials = partialCount < 2 ? undefined : new Float64Array(partialCount * 3);
  const kinds = new Uint8Array(events.length);
  const others: E[] = [];
  let at = 0;
  let p = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    kinds[i] = OTHER;
    if (e[0] === 4) {
      if (partials !== undefined && typeof e[1] === "number" && typeof e[3] === "number") {
        partials[p] = e[1];
        partials[p + 1] = e[2];
        partials[p + 2] = e[3];
        p += 3;
        kinds[i] = PACKED_PARTIAL;
      } else {
        others.push(e);
      }
      continue;
    }
    if (e[0] !== 0 || numbers === undefined || fields === undefined || !packRecord(e, keyed, head, valueAt, fields, numbers, at)) {
      others.push(e);
      continue;
    }
    kinds[i] = PACKED_RECORD;
    at += stride;
  }
  // Transferring costs more than copying a small buffer.
  const transfer: ArrayBuffer[] = [];
  if (numbers !== undefined && numbers.byteLength >= TRANSFER_ABOVE) transfer.push(numbers.buffer);
  if (partials !== undefined && partials.byteLength >= TRANSFER_ABOVE) transfer.push(partials.buffer);
  return { packed: { events: undefined, kinds, others, fields: fields ?? [], numbers, partials }, transfer };
}

/** Writes record `e` at `numbers[at…]` if it has the batch's shape and number key (inputs) and timestamp. */
function packRecord(
  e: InputEvent | OutputEvent,
  keyed: boolean,
  head: number,
  valueAt: 1 | 2,
  fields: readonly string[],
  numbers: Float64Array,
  at: number,
): boolean {
  const ts = e[valueAt + 1];
  if (typeof ts !== "number") return false;
  if (keyed) {
    const key = e[1];
    if (typeof key !== "number") return false;
    numbers[at] = key;
  }
  numbers[at + head - 1] = ts;
  return writeShape(e[valueAt], fields, numbers, at + head);
}

function unpack(packed: PackedEvents<InputEvent | OutputEvent>, valueAt: 1 | 2): (InputEvent | OutputEvent)[] {
  const { events, kinds, others, fields, numbers, partials } = packed;
  if (kinds === undefined) return (events ?? []) as (InputEvent | OutputEvent)[];
  const keyed = valueAt === 2;
  const head = keyed ? 2 : 1;
  const stride = head + fields.length;
  const out = new Array<InputEvent | OutputEvent>(kinds.length);
  let at = 0;
  let p = 0;
  let o = 0;
  for (let i = 0; i < kinds.length; i++) {
    const kind = kinds[i];
    if (kind === PACKED_PARTIAL) {
      out[i] = [4, partials![p]!, partials![p + 1]!, partials![p + 2]!];
      p += 3;
    } else if (kind === PACKED_RECORD) {
      const value = readShape(fields, numbers!, at + head);
      out[i] = keyed ? [0, numbers![at]!, value, numbers![at + 1]!] : [0, value, numbers![at]!];
      at += stride;
    } else {
      out[i] = others[o++]!;
    }
  }
  return out;
}
