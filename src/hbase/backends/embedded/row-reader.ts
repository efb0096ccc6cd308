/**
 * What a read sees of one row: the stored entries (values and delete markers, in key order) reduced
 * to the visible cells with HBase's semantics — delete markers hide values at or below their timestamp,
 * versions past the family's maxVersions and cells past the TTL (beyond minVersions) are dropped, then
 * the read's columns, time range and maxVersions select what is returned.
 */
import type { Cell } from "../../model/cell.js";
import type { FamilyDescriptor } from "../../model/table-descriptor.js";
import type { DecodedCellKey } from "./key-codec.js";
import { equalBytes } from "../../bytes/bytes.js";

/** One stored entry of a row: its decoded key and its value. */
export interface RowEntry {
  readonly key: DecodedCellKey;
  readonly value: Uint8Array;
}

/** What a read selects, checked and resolved against the table's families. */
export interface ReadPlan {
  /** Family name → undefined (whole family) or the set of qualifiers (as binary strings); undefined map = all. */
  readonly columns: ReadonlyMap<string, ReadonlySet<string> | undefined> | undefined;
  readonly minTime: number;
  /** Exclusive. */
  readonly maxTime: number;
  readonly maxVersions: number;
}

const decoder = new TextDecoder();

/** A byte string as a Map key (one char per byte). */
export function binaryKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

function columnKey(family: Uint8Array, qualifier: Uint8Array): string {
  return `${binaryKey(family)}\u0000${family.length}\u0000${binaryKey(qualifier)}`;
}

/** Delete markers of one row, by family and by column. */
class Tombstones {
  private readonly familyUpTo = new Map<string, number>();
  private readonly familyExact = new Map<string, Set<number>>();
  private readonly columnUpTo = new Map<string, number>();
  private readonly columnExact = new Map<string, Set<number>>();

  add(key: DecodedCellKey): void {
    const family = binaryKey(key.family);
    switch (key.type) {
      case "deleteFamily":
        this.familyUpTo.set(family, Math.max(this.familyUpTo.get(family) ?? -1, key.timestamp));
        break;
      case "deleteFamilyVersion":
        addTo(this.familyExact, family, key.timestamp);
        break;
      case "deleteColumn": {
        const column = columnKey(key.family, key.qualifier);
        this.columnUpTo.set(column, Math.max(this.columnUpTo.get(column) ?? -1, key.timestamp));
        break;
      }
      case "delete":
        addTo(this.columnExact, columnKey(key.family, key.qualifier), key.timestamp);
        break;
      case "put":
        break;
    }
  }

  hides(key: DecodedCellKey, family: string, column: string): boolean {
    const ts = key.timestamp;
    return (
      ts <= (this.familyUpTo.get(family) ?? -1) ||
      ts <= (this.columnUpTo.get(column) ?? -1) ||
      (this.familyExact.get(family)?.has(ts) ?? false) ||
      (this.columnExact.get(column)?.has(ts) ?? false)
    );
  }
}

function addTo(map: Map<string, Set<number>>, key: string, ts: number): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(ts);
}

/** A table's families by their UTF-8 name bytes (compared in place, no decoding per row). */
interface FamilyIndex {
  readonly bytes: readonly Uint8Array[];
  readonly names: readonly string[];
  readonly descriptors: readonly FamilyDescriptor[];
}

const familyIndexes = new WeakMap<ReadonlyMap<string, FamilyDescriptor>, FamilyIndex>();

function familyIndex(families: ReadonlyMap<string, FamilyDescriptor>): FamilyIndex {
  let index = familyIndexes.get(families);
  if (index === undefined) {
    const names = [...families.keys()];
    index = { bytes: names.map((n) => Buffer.from(n, "utf8")), names, descriptors: names.map((n) => families.get(n)!) };
    familyIndexes.set(families, index);
  }
  return index;
}

/** Position of `family` in the index, or -1 (a family the table does not have). */
function findFamily(index: FamilyIndex, family: Uint8Array): number {
  const { bytes } = index;
  for (let i = 0; i < bytes.length; i++) if (equalBytes(bytes[i]!, family)) return i;
  return -1;
}

/**
 * The visible cells of one row, in HBase order. `entries` are the row's stored entries in key order;
 * `families` the table's families by name; `now` the time TTLs are measured against.
 */
export function readRow(
  entries: readonly RowEntry[],
  families: ReadonlyMap<string, FamilyDescriptor>,
  plan: ReadPlan,
  now: number,
): Cell[] {
  let tombstones: Tombstones | undefined;
  for (let i = 0; i < entries.length; i++) {
    const key = entries[i]!.key;
    if (key.type !== "put") (tombstones ??= new Tombstones()).add(key);
  }
  const index = familyIndex(families);
  const columns = plan.columns;
  const cells: Cell[] = [];
  // Per family and per column state, recomputed only when the family or column changes.
  let familyBytes: Uint8Array | undefined;
  let familyBinary = "";
  let family: FamilyDescriptor | undefined;
  let familySelected = true;
  let qualifiers: ReadonlySet<string> | undefined;
  let qualifierBytes: Uint8Array | undefined;
  let column = "";
  let columnSelected = true;
  let stored = 0; // visible versions of the current column so far (the family's retention)
  let returned = 0; // versions of the current column returned so far (the read's maxVersions)
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const key = entry.key;
    if (key.type !== "put") continue;
    let newColumn = false;
    if (familyBytes === undefined || !equalBytes(familyBytes, key.family)) {
      familyBytes = key.family;
      const at = findFamily(index, key.family);
      family = at < 0 ? undefined : index.descriptors[at];
      const familyName = at < 0 ? decoder.decode(key.family) : index.names[at]!;
      familyBinary = tombstones === undefined ? "" : binaryKey(key.family);
      familySelected = columns === undefined || columns.has(familyName);
      qualifiers = columns?.get(familyName);
      newColumn = true;
    } else if (qualifierBytes === undefined || !equalBytes(qualifierBytes, key.qualifier)) {
      newColumn = true;
    }
    if (newColumn) {
      qualifierBytes = key.qualifier;
      column = tombstones === undefined ? "" : columnKey(key.family, key.qualifier);
      columnSelected = familySelected && (qualifiers === undefined || qualifiers.has(binaryKey(key.qualifier)));
      stored = 0;
      returned = 0;
    }
    if (family === undefined) continue;
    if (tombstones !== undefined && tombstones.hides(key, familyBinary, column)) continue;
    const version = stored++;
    if (version >= family.maxVersions) continue;
    if (version >= family.minVersions && key.timestamp < now - family.ttlMs) continue;
    if (!columnSelected) continue;
    if (key.timestamp < plan.minTime || key.timestamp >= plan.maxTime) continue;
    if (returned >= plan.maxVersions) continue;
    returned++;
    cells.push({ row: key.row, family: key.family, qualifier: key.qualifier, timestamp: key.timestamp, type: "put", value: entry.value });
  }
  return cells;
}

/**
 * The cells of one row held as columns (a scan batch's, see `packed-rows.ts`): cell `i` is
 * `families[i]`, `qualifiers[i]`, `timestamps[i]`, and its value at `valueStarts[i]` (`valueLengths[i]`
 * bytes) of a buffer held elsewhere.
 */
export interface CellColumns {
  families: Uint8Array[];
  qualifiers: Uint8Array[];
  timestamps: number[];
  valueStarts: number[];
  valueLengths: number[];
}

/**
 * {@link readRow} for a row without delete markers whose stored entries are the cells
 * `[start, start + count)` of `columns`, in key order: keeps the visible ones (the same cells
 * `readRow` returns, in the same order) moved to the front of that range, and returns how many.
 */
export function keepVisiblePuts(
  columns: CellColumns,
  start: number,
  count: number,
  families: ReadonlyMap<string, FamilyDescriptor>,
  plan: ReadPlan,
  now: number,
): number {
  const index = familyIndex(families);
  const selected = plan.columns;
  const { families: fams, qualifiers: quals, timestamps, valueStarts, valueLengths } = columns;
  const minTime = plan.minTime;
  const maxTime = plan.maxTime;
  const maxVersions = plan.maxVersions;
  let familyBytes: Uint8Array | undefined;
  let family: FamilyDescriptor | undefined;
  let oldest = 0; // cells older than this are past the family's TTL
  let familySelected = true;
  let qualifiers: ReadonlySet<string> | undefined;
  let qualifierBytes: Uint8Array | undefined;
  let columnSelected = true;
  let stored = 0;
  let returned = 0;
  let kept = start;
  const end = start + count;
  for (let i = start; i < end; i++) {
    const f = fams[i]!;
    const q = quals[i]!;
    let newColumn = false;
    if (familyBytes === undefined || (f !== familyBytes && !equalBytes(familyBytes, f))) {
      familyBytes = f;
      const at = findFamily(index, f);
      family = at < 0 ? undefined : index.descriptors[at];
      oldest = family === undefined ? 0 : now - family.ttlMs;
      if (selected !== undefined) {
        const familyName = at < 0 ? decoder.decode(f) : index.names[at]!;
        familySelected = selected.has(familyName);
        qualifiers = selected.get(familyName);
      }
      newColumn = true;
    } else if (qualifierBytes === undefined || (q !== qualifierBytes && !equalBytes(qualifierBytes, q))) {
      newColumn = true;
    }
    if (newColumn) {
      qualifierBytes = q;
      columnSelected = familySelected && (qualifiers === undefined || qualifiers.has(binaryKey(q)));
      stored = 0;
      returned = 0;
    }
    if (family === undefined) continue;
    const ts = timestamps[i]!;
    const version = stored++;
    if (version >= family.maxVersions) continue;
    if (version >= family.minVersions && ts < oldest) continue;
    if (!columnSelected) continue;
    if (ts < minTime || ts >= maxTime) continue;
    if (returned >= maxVersions) continue;
    returned++;
    if (kept !== i) {
      fams[kept] = f;
      quals[kept] = q;
      timestamps[kept] = ts;
      valueStarts[kept] = valueStarts[i]!;
      valueLengths[kept] = valueLengths[i]!;
    }
    kept++;
  }
  return kept - start;
}
