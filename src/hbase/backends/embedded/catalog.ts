/**
 * The catalog of the embedded store: table descriptors and table ids, kept in the same storage engine
 * under the reserved prefix 0x00 (data keys start with 0x01), loaded into memory on open. The process
 * that opened the directory is its only owner (LevelDB's lock, or the owner lock of LMDB), so the
 * in-memory copy is authoritative.
 */
import type { FamilyDescriptor, RegionInfo, TableDescriptor, TableName } from "../../model/table-descriptor.js";
import type { BytesLike, CreateTableOptions, FamilySpec, TableRef } from "../../table.js";
import { compareBytes, equalBytes, toBytes, toStringBinary } from "../../bytes/bytes.js";
import { CATALOG_PREFIX } from "./key-codec.js";
import { formatTableName, parseTableRef } from "./table-name.js";
import type { SchemaSpec } from "../../schema/schema-spec.js";
import { validateSchema } from "../../schema/validate-schema.js";

import type { StorageEngine } from "./storage-engine.js";

/** A table as the store knows it: its descriptor and the id its data keys carry. */
export interface CatalogEntry {
  readonly id: number;
  readonly descriptor: TableDescriptor;
}

const TABLE_TAG = 0x74; // 't'
const COUNTER_KEY = Uint8Array.of(CATALOG_PREFIX, 0x6e); // 'n': the next table id
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Serialised form of a table (JSON): TTL Infinity as null, keys as arrays of bytes. `schema` is absent
 * for tables without one (and in entries written before schemas existed, which load unchanged).
 */
interface StoredTable {
  id: number;
  namespace: string;
  name: string;
  families: { name: string; maxVersions: number; minVersions: number; ttlMs: number | null }[];
  splitKeys: number[][];
  schema?: SchemaSpec;
}

function catalogKey(table: TableName): Uint8Array {
  const name = encoder.encode(`${table.namespace}:${table.name}`);
  const key = new Uint8Array(name.length + 2);
  key[0] = CATALOG_PREFIX;
  key[1] = TABLE_TAG;
  key.set(name, 2);
  return key;
}

function mapKey(table: TableName): string {
  return `${table.namespace}:${table.name}`;
}

/** Regions of a table from its sorted split keys. */
function regionsOf(splitKeys: readonly Uint8Array[]): RegionInfo[] {
  const bounds = [new Uint8Array(0), ...splitKeys, new Uint8Array(0)];
  const regions: RegionInfo[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) regions.push({ startKey: bounds[i]!, endKey: bounds[i + 1]! });
  return regions;
}

function toDescriptor(stored: StoredTable): TableDescriptor {
  const descriptor: TableDescriptor = {
    table: { namespace: stored.namespace, name: stored.name },
    families: stored.families.map((f) => ({ ...f, ttlMs: f.ttlMs === null ? Infinity : f.ttlMs })),
    regions: regionsOf(stored.splitKeys.map((k) => Uint8Array.from(k))),
  };
  return stored.schema === undefined ? descriptor : { ...descriptor, schema: frozenCopy(stored.schema) };
}

function toStored(id: number, descriptor: TableDescriptor): StoredTable {
  return {
    id,
    namespace: descriptor.table.namespace,
    name: descriptor.table.name,
    families: descriptor.families.map((f) => ({ ...f, ttlMs: Number.isFinite(f.ttlMs) ? f.ttlMs : null })),
    splitKeys: descriptor.regions.slice(1).map((r) => Array.from(r.startKey)),
    ...(descriptor.schema === undefined ? {} : { schema: descriptor.schema }),
  };
}

/** A deep, frozen copy of a schema (a descriptor's schema cannot be changed behind the catalog's back). */
function frozenCopy(schema: SchemaSpec): SchemaSpec {
  const families: Record<string, Readonly<Record<string, SchemaSpec["rowKey"]>>> = {};
  for (const [family, qualifiers] of Object.entries(schema.families)) {
    const copy: Record<string, SchemaSpec["rowKey"]> = {};
    for (const [qualifier, codec] of Object.entries(qualifiers)) Object.defineProperty(copy, qualifier, { value: codec, enumerable: true });
    Object.defineProperty(families, family, { value: Object.freeze(copy), enumerable: true });
  }
  return Object.freeze({ rowKey: schema.rowKey, families: Object.freeze(families) });
}

/** Checks one family spec and fills in HBase's defaults. */
export function normalizeFamily(spec: FamilySpec, table: string): FamilyDescriptor {
  const options = typeof spec === "string" ? { name: spec } : spec;
  if (options === null || typeof options !== "object" || typeof options.name !== "string") {
    throw new TypeError(`table ${table}: a column family is a name or { name, maxVersions?, minVersions?, ttlMs? }`);
  }
  const { name } = options;
  if (name.length === 0 || name.startsWith(".") || /[:\u0000-\u001f\u007f]/.test(name)) {
    throw new Error(`table ${table}: invalid column family name "${name}" (non-empty, no ':', no control characters, not starting with '.')`);
  }
  const maxVersions = options.maxVersions ?? 1;
  const minVersions = options.minVersions ?? 0;
  const ttlMs = options.ttlMs ?? Infinity;
  if (!Number.isInteger(maxVersions) || maxVersions < 1) {
    throw new Error(`table ${table}, family ${name}: maxVersions must be an integer ≥ 1, got ${String(maxVersions)}`);
  }
  if (!Number.isInteger(minVersions) || minVersions < 0 || minVersions > maxVersions) {
    throw new Error(`table ${table}, family ${name}: minVersions must be an integer from 0 to maxVersions (${maxVersions}), got ${String(minVersions)}`);
  }
  if (typeof ttlMs !== "number" || Number.isNaN(ttlMs) || ttlMs <= 0 || (Number.isFinite(ttlMs) && !Number.isInteger(ttlMs))) {
    throw new Error(`table ${table}, family ${name}: ttlMs must be a positive integer number of milliseconds or Infinity, got ${String(ttlMs)}`);
  }
  return { name, maxVersions, minVersions, ttlMs };
}

/** Split keys checked (non-empty, distinct) and sorted. */
function normalizeSplitKeys(keys: readonly BytesLike[], table: string): Uint8Array[] {
  if (!Array.isArray(keys)) throw new TypeError(`table ${table}: splitKeys must be an array of row keys, got ${keys === null ? "null" : typeof keys}`);
  const sorted = keys
    .map((k, i) => {
      if (typeof k !== "string" && !(k instanceof Uint8Array)) {
        throw new TypeError(`table ${table}: split key [${i}] must be bytes (Uint8Array) or a string, got ${k === null ? "null" : typeof k}`);
      }
      return toBytes(k).slice();
    })
    .sort(compareBytes);
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i]!.length === 0) throw new Error(`table ${table}: a split key must not be empty`);
    if (i > 0 && equalBytes(sorted[i - 1]!, sorted[i]!)) {
      throw new Error(`table ${table}: duplicate split key ${toStringBinary(sorted[i]!)}`);
    }
  }
  return sorted;
}

/** The catalog: which tables exist, with their descriptors and ids. */
export class Catalog {
  private readonly tables = new Map<string, CatalogEntry>();
  private nextId = 1;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly db: StorageEngine) {}

  /** Loads the catalog stored in `db`. */
  static async load(db: StorageEngine): Promise<Catalog> {
    const catalog = new Catalog(db);
    const counter = await db.get(COUNTER_KEY);
    if (counter !== undefined) catalog.nextId = new DataView(counter.buffer, counter.byteOffset, counter.byteLength).getUint32(0);
    const start = Uint8Array.of(CATALOG_PREFIX, TABLE_TAG);
    const end = Uint8Array.of(CATALOG_PREFIX, TABLE_TAG + 1);
    for (const [, value] of await db.iterator({ gte: start, lt: end }).all()) {
      const stored = JSON.parse(decoder.decode(value)) as StoredTable;
      const descriptor = toDescriptor(stored);
      catalog.tables.set(mapKey(descriptor.table), { id: stored.id, descriptor });
    }
    return catalog;
  }

  /** The table, or undefined. */
  find(ref: TableRef): CatalogEntry | undefined {
    return this.tables.get(mapKey(parseTableRef(ref)));
  }

  /** The table; throws "table not found" naming it. */
  require(ref: TableRef): CatalogEntry {
    const name = parseTableRef(ref);
    const entry = this.tables.get(mapKey(name));
    if (entry === undefined) throw new Error(`table ${formatTableName(name)} not found`);
    return entry;
  }

  /** Table names, sorted, optionally of one namespace. */
  list(namespace?: string): TableName[] {
    return [...this.tables.values()]
      .map((e) => e.descriptor.table)
      .filter((t) => namespace === undefined || t.namespace === namespace)
      .sort((a, b) => (a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace)));
  }

  /** Creates a table; throws when it exists or the options are invalid (nothing written then). */
  create(ref: TableRef, options: CreateTableOptions): Promise<CatalogEntry> {
    return this.exclusive(() => this.createNow(ref, options));
  }

  private async createNow(ref: TableRef, options: CreateTableOptions): Promise<CatalogEntry> {
    const name = parseTableRef(ref);
    const label = formatTableName(name);
    if (options === null || typeof options !== "object" || !Array.isArray(options.families)) {
      throw new TypeError(`createTable ${label}: options must be { families: [...], splitKeys? }`);
    }
    if (options.families.length === 0) throw new Error(`createTable ${label}: a table needs at least one column family`);
    const families = options.families.map((f) => normalizeFamily(f, label));
    const seen = new Set<string>();
    for (const f of families) {
      if (seen.has(f.name)) throw new Error(`createTable ${label}: column family "${f.name}" is given twice`);
      seen.add(f.name);
    }
    const splitKeys = normalizeSplitKeys(options.splitKeys ?? [], label);
    if (options.schema !== undefined) {
      validateSchema(options.schema, families.map((f) => f.name), `createTable ${label}: schema`);
    }
    if (this.tables.has(mapKey(name))) throw new Error(`table ${label} already exists`);
    const base: TableDescriptor = { table: name, families, regions: regionsOf(splitKeys) };
    const descriptor = options.schema === undefined ? base : { ...base, schema: frozenCopy(options.schema) };
    const entry = { id: this.nextId, descriptor };
    await this.writeEntry(entry);
    return entry;
  }

  /** Gives the table a fresh id (its old data becomes unreachable); returns the old entry. */
  renew(ref: TableRef): Promise<{ old: CatalogEntry; fresh: CatalogEntry }> {
    return this.exclusive(() => this.renewNow(ref));
  }

  private async renewNow(ref: TableRef): Promise<{ old: CatalogEntry; fresh: CatalogEntry }> {
    const old = this.require(ref);
    const fresh = { id: this.nextId, descriptor: old.descriptor };
    await this.writeEntry(fresh);
    return { old, fresh };
  }

  /**
   * Stores `schema` as the table's schema (replacing any), or removes it with undefined; returns the
   * new entry. Throws, writing nothing, when the table does not exist or the schema is invalid for it.
   */
  setSchema(ref: TableRef, schema: SchemaSpec | undefined): Promise<CatalogEntry> {
    return this.exclusive(async () => {
      const old = this.require(ref);
      const label = formatTableName(old.descriptor.table);
      if (schema !== undefined) {
        validateSchema(schema, old.descriptor.families.map((f) => f.name), `setSchema ${label}`);
      }
      const { schema: _previous, ...rest } = old.descriptor;
      const entry: CatalogEntry = { id: old.id, descriptor: schema === undefined ? rest : { ...rest, schema: frozenCopy(schema) } };
      await this.db.put(catalogKey(entry.descriptor.table), encoder.encode(JSON.stringify(toStored(entry.id, entry.descriptor))));
      this.tables.set(mapKey(entry.descriptor.table), entry);
      return entry;
    });
  }

  /**
   * Adds `splitKey` to the table's region boundaries (one catalog write: durable, all or nothing);
   * returns the new entry. Throws, writing nothing, when the table does not exist or the key is not
   * bytes, empty, or already a boundary. The old descriptor object is left as it was, so scans that
   * resolved it keep their regions.
   */
  split(ref: TableRef, splitKey: BytesLike): Promise<CatalogEntry> {
    return this.exclusive(async () => {
      const old = this.require(ref);
      const label = formatTableName(old.descriptor.table);
      if (typeof splitKey !== "string" && !(splitKey instanceof Uint8Array)) {
        throw new TypeError(`splitRegion ${label}: the split key must be bytes (Uint8Array) or a string, got ${splitKey === null ? "null" : typeof splitKey}`);
      }
      const key = toBytes(splitKey).slice();
      if (key.length === 0) throw new Error(`splitRegion ${label}: the split key must not be empty`);
      const current = old.descriptor.regions.slice(1).map((r) => r.startKey);
      if (current.some((k) => equalBytes(k, key))) {
        throw new Error(`splitRegion ${label}: ${toStringBinary(key)} is already a region boundary (a region cannot be split at its start key)`);
      }
      const splitKeys = [...current, key].sort(compareBytes);
      const entry: CatalogEntry = { id: old.id, descriptor: { ...old.descriptor, regions: regionsOf(splitKeys) } };
      await this.db.put(catalogKey(entry.descriptor.table), encoder.encode(JSON.stringify(toStored(entry.id, entry.descriptor))));
      this.tables.set(mapKey(entry.descriptor.table), entry);
      return entry;
    });
  }

  /** Removes the table from the catalog; returns its entry (its data is the caller's to clear). */
  remove(ref: TableRef): Promise<CatalogEntry> {
    return this.exclusive(async () => {
      const entry = this.require(ref);
      await this.db.del(catalogKey(entry.descriptor.table));
      this.tables.delete(mapKey(entry.descriptor.table));
      return entry;
    });
  }

  /** Runs catalog changes one at a time (table ids are handed out in order). */
  private exclusive<T>(change: () => Promise<T>): Promise<T> {
    const run = this.chain.then(change, change);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Stores an entry that takes id `nextId`, and the advanced counter, in one batch. */
  private async writeEntry(entry: CatalogEntry): Promise<void> {
    if (entry.id >= 0xffff_ffff) throw new Error("the HBase data directory has run out of table ids");
    const counter = new Uint8Array(4);
    new DataView(counter.buffer).setUint32(0, entry.id + 1);
    const value = encoder.encode(JSON.stringify(toStored(entry.id, entry.descriptor)));
    const batch = this.db.batch();
    batch.put(catalogKey(entry.descriptor.table), value);
    batch.put(COUNTER_KEY, counter);
    await batch.write();
    this.nextId = entry.id + 1;
    this.tables.set(mapKey(entry.descriptor.table), entry);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
