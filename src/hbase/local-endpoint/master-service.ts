/**
 * MasterService of the local endpoint: table admin as HBase 2.x's master answers it, over the store's
 * `Admin`. Every procedure runs to its end before the call returns; the `proc_id` answered is then
 * FINISHED for `getProcedureResult`.
 *
 * Table states follow HBase: a table is ENABLED when created; DeleteTable and truncateTable need it
 * DISABLED first (TableNotDisabledException otherwise); truncateTable leaves it enabled; reads and
 * writes of a disabled table's regions answer TableNotEnabledException.
 */
import { compareBytes } from "../bytes/bytes.js";
import type { TableName } from "../model/table-descriptor.js";
import type { Connection } from "../table.js";
import {
  ProcedureState,
  TableStateValue,
  type CreateTableRequest,
  type DeleteTableRequest,
  type DisableTableRequest,
  type EnableTableRequest,
  type GetProcedureResultRequest,
  type GetTableDescriptorsRequest,
  type GetTableNamesRequest,
  type GetTableStateRequest,
  type ModifyTableRequest,
  type SplitTableRegionRequest,
  type TruncateTableRequest,
  type TableName as WireTableName,
} from "../wire/hbase-protos.js";
import { regionNameOf } from "../wire/meta-row.js";
import type { TypedServiceImpl } from "../wire/rpc-server.js";
import { doNotRetry, tableNotDisabled, tableNotEnabled, tableNotFound, toRemoteError, unknownRegion } from "./endpoint-errors.js";
import { mapAdminError } from "./master-errors.js";
import type { RegionDirectory } from "./region-directory.js";
import { splitServedRegion } from "./region-split.js";
import type { MasterState } from "./table-states.js";
import {
  createTableFromWire,
  familyFromWire,
  SCHEMA_ATTRIBUTE,
  schemaFromWire,
  tableLabel,
  tableNameFromWire,
  tableNameToWire,
  tableSchemaToWire,
  TableSchemaError,
} from "./table-schema-wire.js";

/** What the MasterService needs. */
export interface MasterServiceDeps {
  readonly connection: Connection;
  readonly directory: RegionDirectory;
  readonly state: MasterState;
}

async function admin<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw mapAdminError(error);
  }
}

function nameOf(name: WireTableName | undefined): TableName {
  if (!name) throw doNotRetry("the request names no table");
  const t = tableNameFromWire(name);
  if (t.name === "") throw doNotRetry("the table name is empty");
  return t;
}

async function requireTable(deps: MasterServiceDeps, name: TableName): Promise<string> {
  const label = tableLabel(name);
  if (!(await admin(() => deps.connection.admin.tableExists(label)))) throw tableNotFound(label);
  return label;
}

/** Table names a GetTableNames / GetTableDescriptors request selects (namespace, regex: a full match as Java's). */
async function selected(deps: MasterServiceDeps, req: { regex?: string; namespace?: string }): Promise<TableName[]> {
  let names = await admin(() => deps.connection.admin.listTables(req.namespace === undefined || req.namespace === "" ? undefined : req.namespace));
  if (req.regex !== undefined && req.regex !== "") {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${req.regex})$`);
    } catch (error) {
      throw doNotRetry(`invalid table name pattern ${JSON.stringify(req.regex)}: ${(error as Error).message}`);
    }
    names = names.filter((n) => re.test(tableLabel(n)));
  }
  return names;
}

function mapped<A, R>(fn: (a: A) => Promise<R>): (a: A) => Promise<R> {
  return async (a) => {
    try {
      return await fn(a);
    } catch (error) {
      throw error instanceof TableSchemaError ? doNotRetry(error.message) : toRemoteError(error);
    }
  };
}

/** The typed MasterService implementation. */
export function masterService(deps: MasterServiceDeps): TypedServiceImpl<"MasterService"> {
  const a = () => deps.connection.admin;
  return {
    IsMasterRunning: async () => ({ is_master_running: true }),

    CreateTable: mapped(async (req: CreateTableRequest) => {
      const { table, options } = createTableFromWire(req.table_schema, req.split_keys);
      await admin(() => a().createTable(table, options));
      deps.state.setDisabled(table, false);
      await deps.directory.refresh();
      return { proc_id: deps.state.finished() };
    }),

    DeleteTable: mapped(async (req: DeleteTableRequest) => {
      const name = nameOf(req.table_name);
      const label = await requireTable(deps, name);
      if (!deps.state.isDisabled(label)) throw tableNotDisabled(label);
      await admin(() => a().deleteTable(label));
      deps.state.setDisabled(name, false);
      await deps.directory.refresh();
      return { proc_id: deps.state.finished() };
    }),

    DisableTable: mapped(async (req: DisableTableRequest) => {
      const name = nameOf(req.table_name);
      const label = await requireTable(deps, name);
      if (deps.state.isDisabled(label)) throw tableNotEnabled(label);
      deps.state.setDisabled(name, true);
      return { proc_id: deps.state.finished() };
    }),

    EnableTable: mapped(async (req: EnableTableRequest) => {
      const name = nameOf(req.table_name);
      const label = await requireTable(deps, name);
      if (!deps.state.isDisabled(label)) throw tableNotDisabled(label);
      deps.state.setDisabled(name, false);
      return { proc_id: deps.state.finished() };
    }),

    GetTableState: mapped(async (req: GetTableStateRequest) => {
      const label = await requireTable(deps, nameOf(req.table_name));
      return { table_state: { state: deps.state.isDisabled(label) ? TableStateValue.DISABLED : TableStateValue.ENABLED } };
    }),

    GetTableNames: mapped(async (req: GetTableNamesRequest) => ({ table_names: (await selected(deps, req)).map(tableNameToWire) })),

    GetTableDescriptors: mapped(async (req: GetTableDescriptorsRequest) => {
      let names: TableName[];
      if ((req.table_names ?? []).length > 0) {
        const all = new Set((await admin(() => a().listTables())).map(tableLabel));
        names = (req.table_names ?? []).map(tableNameFromWire).filter((n) => all.has(tableLabel(n)));
      } else {
        names = await selected(deps, req);
      }
      const schemas = [];
      for (const n of names) {
        try {
          schemas.push(tableSchemaToWire(await a().describeTable(tableLabel(n))));
        } catch {
          // deleted meanwhile
        }
      }
      return { table_schema: schemas };
    }),

    ModifyTable: mapped(async (req: ModifyTableRequest) => {
      // Only the typed schema (table attribute sluice.schema) can change; the families must stay as they are.
      const name = nameOf(req.table_name);
      const label = await requireTable(deps, name);
      const current = await admin(() => a().describeTable(label));
      const wanted = (req.table_schema.column_families ?? []).map(familyFromWire);
      const same =
        wanted.length === current.families.length &&
        wanted.every((f, i) => {
          const c = current.families[i]!;
          return f.name === c.name && (f.maxVersions ?? 1) === c.maxVersions && (f.minVersions ?? 0) === c.minVersions && (f.ttlMs ?? Infinity) === c.ttlMs;
        });
      if (!same) throw doNotRetry(`modifyTable ${label}: changing column families is not supported by this endpoint (only the ${SCHEMA_ATTRIBUTE} attribute)`);
      await admin(() => a().setSchema(label, schemaFromWire(req.table_schema)));
      return { proc_id: deps.state.finished() };
    }),

    truncateTable: mapped(async (req: TruncateTableRequest) => {
      const name = nameOf(req.tableName);
      const label = await requireTable(deps, name);
      if (!deps.state.isDisabled(label)) throw tableNotDisabled(label);
      if (req.preserveSplits === true) {
        await admin(() => a().truncateTable(label));
      } else {
        // HBase drops the splits: the table comes back as one region, with its families and schema.
        const d = await admin(() => a().describeTable(label));
        await admin(() => a().deleteTable(label));
        await admin(() => a().createTable(label, { families: d.families, ...(d.schema === undefined ? {} : { schema: d.schema }) }));
      }
      deps.state.setDisabled(name, false);
      await deps.directory.refresh();
      return { proc_id: deps.state.finished() };
    }),

    SplitRegion: mapped(async (req: SplitTableRegionRequest) => {
      const wanted = regionNameOf(req.region_info);
      const region = await deps.directory.find(wanted, false);
      if (!region) throw unknownRegion(new TextDecoder().decode(wanted));
      if (compareBytes(region.name, wanted) !== 0) throw unknownRegion(new TextDecoder().decode(wanted));
      await splitServedRegion(deps, region, req.split_row);
      return { proc_id: deps.state.finished() };
    }),

    getProcedureResult: mapped(async (req: GetProcedureResultRequest) => {
      const at = deps.state.finishedAt(BigInt(req.proc_id));
      if (at === undefined) return { state: ProcedureState.NOT_FOUND };
      return { state: ProcedureState.FINISHED, submitted_time: at, last_update: at };
    }),
  };
}
