/**
 * The Table API's `Admin` over HBase's RPC: table admin through the master's MasterService, region
 * admin (compaction, its state) through the region servers' AdminService, regions from hbase:meta.
 *
 * - Families and their options travel as HBase encodes them (`src/hbase/local-endpoint/table-schema-wire.ts`:
 *   VERSIONS, MIN_VERSIONS, TTL in seconds), the typed schema as the table attribute `sluice.schema`.
 * - `deleteTable` and `truncateTable` disable the table first, as HBase requires; truncation keeps
 *   the region boundaries (`preserveSplits`), as the embedded store's does.
 * - `compact` asks every region for a major compaction; the server reports no counts, so the stats
 *   are zeros. `setSchema` is a ModifyTable with the same families and the new attribute.
 * - Errors read as the embedded admin's: TableNotFoundException → "table X not found",
 *   TableExistsException → "table X already exists", DoNotRetryIOException → its message (the
 *   server's own check, e.g. an invalid family); invalid arguments are refused before any call.
 * - The region cache of a table is invalidated after create, delete, truncate and split.
 */
import { compareBytes, toBytes, toStringBinary } from "../../bytes/bytes.js";
import type { FamilyDescriptor, TableDescriptor, TableName } from "../../model/table-descriptor.js";
import type { SchemaSpec } from "../../schema/schema-spec.js";
import type { Admin, BytesLike, CompactionStats, CreateTableOptions, TableRef } from "../../table.js";
import { HBaseRemoteError, HBaseExceptions } from "../../wire/errors.js";
import {
  CompactionStateValue,
  RegionSpecifierType,
  type MethodName,
  type RequestOf,
  type ResponseOf,
  type ColumnFamilySchema,
  type TableSchema,
} from "../../wire/hbase-protos.js";
import {
  familyFromWire,
  familyToWire,
  SCHEMA_ATTRIBUTE,
  schemaFromWire,
  tableNameFromWire,
  tableNameToWire,
} from "../../local-endpoint/table-schema-wire.js";
import { normalizeFamily } from "../embedded/catalog.js";
import { formatTableName, parseTableRef } from "../embedded/table-name.js";
import type { WireAdminContext } from "./wire-admin-context.js";

const TABLE_NOT_ENABLED = "org.apache.hadoop.hbase.TableNotEnabledException";

type MasterMethod = MethodName<"MasterService">;
type AdminMethod = MethodName<"AdminService">;

/** The server's message without the class-name prefixes the RPC layer adds. */
function remoteText(error: HBaseRemoteError): string {
  let text = error.message;
  const prefix = `${error.className}: `;
  while (text.startsWith(prefix)) text = text.slice(prefix.length);
  return text;
}

/** A failed admin call as the embedded admin would have failed. */
function adminError(error: unknown, label: string): unknown {
  if (!(error instanceof HBaseRemoteError)) return error;
  if (error.className === HBaseExceptions.TableNotFoundException) return new Error(`table ${label} not found`, { cause: error });
  if (error.className === HBaseExceptions.TableExistsException) return new Error(`table ${label} already exists`, { cause: error });
  if (error.className === HBaseExceptions.DoNotRetryIOException) return new Error(remoteText(error), { cause: error });
  return error;
}

function familyOf(schema: ColumnFamilySchema, label: string): FamilyDescriptor {
  return normalizeFamily(familyFromWire(schema), label);
}

/** The split keys as bytes, refused as the embedded store refuses them when they are not bytes. */
function splitKeyBytes(keys: readonly BytesLike[] | undefined, label: string): Uint8Array[] {
  if (keys === undefined) return [];
  if (!Array.isArray(keys)) throw new TypeError(`table ${label}: splitKeys must be an array of row keys, got ${keys === null ? "null" : typeof keys}`);
  return keys.map((k, i) => {
    if (typeof k !== "string" && !(k instanceof Uint8Array)) {
      throw new TypeError(`table ${label}: split key [${i}] must be bytes (Uint8Array) or a string, got ${k === null ? "null" : typeof k}`);
    }
    return toBytes(k);
  });
}

/** The Admin of a wire connection. */
export function createWireAdmin(context: WireAdminContext): Admin {
  const master = <M extends MasterMethod>(method: M, request: RequestOf<"MasterService", M>): Promise<ResponseOf<"MasterService", M>> =>
    context.callMaster(method, request as object) as Promise<ResponseOf<"MasterService", M>>;
  const regionAdmin = <M extends AdminMethod>(
    server: { host: string; port: number },
    method: M,
    request: RequestOf<"AdminService", M>,
  ): Promise<ResponseOf<"AdminService", M>> => context.callAdmin(server, method, request as object) as Promise<ResponseOf<"AdminService", M>>;

  async function guarded<T>(label: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw adminError(error, label);
    }
  }

  async function schemaOf(name: TableName, label: string): Promise<TableSchema> {
    const r = await guarded(label, () => master("GetTableDescriptors", { table_names: [tableNameToWire(name)] }));
    const found = (r.table_schema ?? []).find((s) => s.table_name && formatTableName(tableNameFromWire(s.table_name)) === label);
    if (!found) throw new Error(`table ${label} not found`);
    return found;
  }

  async function describe(name: TableName): Promise<TableDescriptor> {
    const label = formatTableName(name);
    const schema = await schemaOf(name, label);
    const regions = (await guarded(label, () => context.regions(name))).map((r) => ({
      startKey: r.region.start_key ?? new Uint8Array(0),
      endKey: r.region.end_key ?? new Uint8Array(0),
    }));
    const typed = schemaFromWire(schema);
    const descriptor: TableDescriptor = { table: name, families: (schema.column_families ?? []).map((f) => familyOf(f, label)), regions };
    return typed === undefined ? descriptor : { ...descriptor, schema: typed };
  }

  /** Disables the table unless it is disabled already. */
  async function disable(name: TableName, label: string): Promise<void> {
    try {
      await master("DisableTable", { table_name: tableNameToWire(name) });
    } catch (error) {
      if (error instanceof HBaseRemoteError && error.className === TABLE_NOT_ENABLED) return;
      throw adminError(error, label);
    }
  }

  return {
    async createTable(table: TableRef, options: CreateTableOptions): Promise<TableDescriptor> {
      const name = parseTableRef(table);
      const label = formatTableName(name);
      if (options === null || typeof options !== "object" || !Array.isArray(options.families)) {
        throw new TypeError(`createTable ${label}: options must be { families: [...], splitKeys? }`);
      }
      if (options.families.length === 0) throw new Error(`createTable ${label}: a table needs at least one column family`);
      const families = options.families.map((f) => normalizeFamily(f, label));
      const splitKeys = splitKeyBytes(options.splitKeys, label);
      const table_schema: TableSchema = { table_name: tableNameToWire(name), column_families: families.map(familyToWire) };
      if (options.schema !== undefined) table_schema.attributes = [{ first: new TextEncoder().encode(SCHEMA_ATTRIBUTE), second: new TextEncoder().encode(JSON.stringify(options.schema)) }];
      await guarded(label, () => master("CreateTable", { table_schema, ...(splitKeys.length > 0 ? { split_keys: splitKeys } : {}) }));
      context.invalidate(name);
      return describe(name);
    },

    async deleteTable(table: TableRef): Promise<void> {
      const name = parseTableRef(table);
      const label = formatTableName(name);
      await disable(name, label);
      await guarded(label, () => master("DeleteTable", { table_name: tableNameToWire(name) }));
      context.invalidate(name);
    },

    async listTables(namespace?: string): Promise<TableName[]> {
      if (namespace !== undefined && typeof namespace !== "string") {
        throw new TypeError(`listTables: the namespace must be a string, got ${namespace === null ? "null" : typeof namespace}`);
      }
      const r = await master("GetTableNames", namespace === undefined ? {} : { namespace });
      return (r.table_names ?? [])
        .map(tableNameFromWire)
        .filter((t) => namespace === undefined || t.namespace === namespace)
        .sort((a, b) => (a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace)));
    },

    describeTable(table: TableRef): Promise<TableDescriptor> {
      return describe(parseTableRef(table));
    },

    async tableExists(table: TableRef): Promise<boolean> {
      const name = parseTableRef(table);
      const label = formatTableName(name);
      const r = await guarded(label, () => master("GetTableDescriptors", { table_names: [tableNameToWire(name)] }));
      return (r.table_schema ?? []).some((s) => s.table_name && formatTableName(tableNameFromWire(s.table_name)) === label);
    },

    async truncateTable(table: TableRef): Promise<void> {
      const name = parseTableRef(table);
      const label = formatTableName(name);
      await disable(name, label);
      try {
        await guarded(label, () => master("truncateTable", { tableName: tableNameToWire(name), preserveSplits: true }));
      } catch (error) {
        await master("EnableTable", { table_name: tableNameToWire(name) }).catch(() => undefined);
        throw error;
      }
      context.invalidate(name);
    },

    async compact(table: TableRef): Promise<CompactionStats> {
      const name = parseTableRef(table);
      const label = formatTableName(name);
      await schemaOf(name, label);
      const regions = await guarded(label, () => context.regions(name));
      for (const r of regions) {
        await guarded(label, () => regionAdmin(r.server, "CompactRegion", { region: { type: RegionSpecifierType.REGION_NAME, value: r.regionName }, major: true }));
      }
      return { rows: 0, removed: 0 };
    },

    async compactionState(table: TableRef): Promise<"none" | "major"> {
      const name = parseTableRef(table);
      const label = formatTableName(name);
      await schemaOf(name, label);
      for (const r of await guarded(label, () => context.regions(name))) {
        const info = await guarded(label, () =>
          regionAdmin(r.server, "GetRegionInfo", { region: { type: RegionSpecifierType.REGION_NAME, value: r.regionName }, compaction_state: true }),
        );
        if (info.compaction_state === CompactionStateValue.MAJOR || info.compaction_state === CompactionStateValue.MAJOR_AND_MINOR) return "major";
      }
      return "none";
    },

    async setSchema(table: TableRef, schema: SchemaSpec | undefined): Promise<TableDescriptor> {
      const name = parseTableRef(table);
      const label = formatTableName(name);
      const current = await schemaOf(name, label);
      const table_schema: TableSchema = { table_name: tableNameToWire(name), column_families: current.column_families ?? [] };
      if (schema !== undefined) table_schema.attributes = [{ first: new TextEncoder().encode(SCHEMA_ATTRIBUTE), second: new TextEncoder().encode(JSON.stringify(schema)) }];
      await guarded(label, () => master("ModifyTable", { table_name: tableNameToWire(name), table_schema }));
      context.invalidate(name);
      return describe(name);
    },

    async splitRegion(table: TableRef, splitKey: BytesLike): Promise<TableDescriptor> {
      const name = parseTableRef(table);
      const label = formatTableName(name);
      if (typeof splitKey !== "string" && !(splitKey instanceof Uint8Array)) {
        throw new TypeError(`splitRegion ${label}: the split key must be bytes (Uint8Array) or a string, got ${splitKey === null ? "null" : typeof splitKey}`);
      }
      const key = toBytes(splitKey);
      if (key.length === 0) throw new Error(`splitRegion ${label}: the split key must not be empty`);
      await schemaOf(name, label);
      const regions = await guarded(label, () => context.regions(name));
      const holder = regions.find((r) => {
        const start = r.region.start_key ?? new Uint8Array(0);
        const end = r.region.end_key ?? new Uint8Array(0);
        return compareBytes(key, start) >= 0 && (end.length === 0 || compareBytes(key, end) < 0);
      });
      if (!holder) throw new Error(`table ${label} not found`);
      if (compareBytes(key, holder.region.start_key ?? new Uint8Array(0)) === 0) {
        throw new Error(`splitRegion ${label}: ${toStringBinary(key)} is already a region boundary (a region cannot be split at its start key)`);
      }
      await guarded(label, () => master("SplitRegion", { region_info: holder.region, split_row: key }));
      context.invalidate(name);
      return describe(name);
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
