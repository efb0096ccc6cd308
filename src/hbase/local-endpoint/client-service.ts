/**
 * ClientService of the local endpoint: Get, Mutate, Scan and Multi on `hbase:meta,,1` (meta rows of
 * every served region) and on user regions (the store's tables through the Table API).
 */
import { compareBytes } from "../bytes/bytes.js";
import type { Connection } from "../table.js";
import {
  MutationType,
  RegionSpecifierType,
  type Action,
  type GetRequest,
  type GetResponse,
  type MultiRequest,
  type MultiResponse,
  type MutateRequest,
  type MutateResponse,
  type RegionActionResult,
  type RegionSpecifier,
  type Result as WireResult,
  type ResultOrException,
  type ScanRequest,
  type ScanResponse,
} from "../wire/hbase-protos.js";
import { META_REGION_NAME } from "../wire/meta-row.js";
import { ScanResultRuns } from "../wire/result-codecs.js";
import type { TypedServiceImpl } from "../wire/rpc-server.js";
import { closestRowBeforeRemoved, doNotRetry, notServingRegion, tableNotEnabled, toRemoteError, unknownScanner } from "./endpoint-errors.js";
import { closestRowBefore, metaRows, metaScan, selectColumns, type MetaServer } from "./meta-table.js";
import type { RegionDirectory, ServedRegion } from "./region-directory.js";
import { clipToRegion, RegionScanner, tableScanner } from "./region-scanner.js";
import type { ScannerRegistry } from "./scanner-registry.js";
import { readOptionsFromWire, resultToWire } from "./wire-reads.js";
import { applyMutate, checkRowInRegion } from "./wire-mutations.js";
import { NonceRegistry } from "./nonce-registry.js";
import { applyAtomicRegionAction, applyConditionalRegionAction, applyRegionActions, exceptionPair } from "./region-actions.js";

/** What the ClientService needs. */
export interface ClientServiceDeps {
  readonly connection: Connection;
  readonly directory: RegionDirectory;
  readonly scanners: ScannerRegistry;
  /**
   * Answers of INCREMENT / APPEND Mutate requests by nonce (`nonce_group` + `nonce`, both non-zero): a
   * repeat is answered without applying it again. None: nonces are ignored.
   */
  readonly nonces?: NonceRegistry<MutateResponse>;
  readonly server: MetaServer;
  /** 1: answers closest_row_before, keeps exhausted scanners open; 2: as HBase 2.x. */
  readonly compat: 1 | 2;
  /** Whether a table is disabled (its regions then answer TableNotEnabledException); none when absent. */
  readonly isDisabled?: (table: string) => boolean;
}

/** Rows per scan call when the client names none (neither `number_of_rows` nor `scan.caching`). */
const DEFAULT_ROWS = 1000;
/** Bounds of the rows the store reads at a time under a scanner (its `batchSize`): the caching asked for, clamped. */
const STORE_BATCH_MIN = 100;
const STORE_BATCH_MAX = 10_000;

type Target = { kind: "meta" } | { kind: "region"; region: ServedRegion };

function describe(spec: RegionSpecifier): string {
  return new TextDecoder().decode(spec.value);
}

async function resolve(deps: ClientServiceDeps, spec: RegionSpecifier | undefined): Promise<Target> {
  if (!spec) throw doNotRetry("the request names no region");
  if (spec.type === RegionSpecifierType.REGION_NAME && compareBytes(spec.value, META_REGION_NAME) === 0) return { kind: "meta" };
  const region = await deps.directory.find(spec.value, spec.type === RegionSpecifierType.ENCODED_REGION_NAME);
  if (!region) throw notServingRegion(describe(spec));
  if (deps.isDisabled?.(region.table)) throw tableNotEnabled(region.table, "is disabled");
  return { kind: "region", region };
}

async function currentMetaRows(deps: ClientServiceDeps) {
  await deps.directory.refresh();
  return metaRows(deps.directory.regions, deps.server);
}

async function doGet(deps: ClientServiceDeps, target: Target, get: GetRequest["get"]): Promise<WireResult> {
  if (target.kind === "meta") {
    const rows = await currentMetaRows(deps);
    if (get.closest_row_before) {
      if (deps.compat === 2) throw closestRowBeforeRemoved();
      const row = closestRowBefore(rows, get.row);
      return resultToWire(row && selectColumns(row, get.column));
    }
    const row = rows.find((r) => compareBytes(r.row, get.row) === 0);
    return resultToWire(row && selectColumns(row, get.column));
  }
  if (get.closest_row_before) throw doNotRetry("closest_row_before is only answered on hbase:meta");
  checkRowInRegion(target.region, get.row);
  const options = readOptionsFromWire(target.region, get);
  const result = await deps.connection.table(target.region.table).get(get.row, options);
  if (get.existence_only) return { exists: result !== undefined && result.cells.length > 0 };
  return resultToWire(result);
}

async function openScanner(deps: ClientServiceDeps, target: Target, scan: NonNullable<ScanRequest["scan"]>, limit: number | undefined, rows: number): Promise<RegionScanner> {
  const range = {
    ...(scan.start_row ? { startRow: scan.start_row } : {}),
    ...(scan.stop_row ? { stopRow: scan.stop_row } : {}),
    ...(scan.include_start_row === undefined ? {} : { includeStartRow: scan.include_start_row }),
    ...(scan.include_stop_row === undefined ? {} : { includeStopRow: scan.include_stop_row }),
    reversed: scan.reversed ?? false,
  };
  if (target.kind === "meta") {
    if (scan.filter) throw doNotRetry("filters on hbase:meta are not supported by this endpoint");
    const rows = metaScan(await currentMetaRows(deps), range).flatMap((r) => {
      const s = selectColumns(r, scan.column);
      return s ? [s] : [];
    });
    return RegionScanner.ofRows(limit ? rows.slice(0, limit) : rows, true);
  }
  const { bounds, endsScan } = clipToRegion(target.region, range);
  // the store reads as many rows at a time as the client asks per call (one storage-engine read per batch)
  const batchSize = Math.min(Math.max(rows, STORE_BATCH_MIN), STORE_BATCH_MAX);
  const options = { ...readOptionsFromWire(target.region, scan), ...bounds, ...(limit ? { limit } : {}), batchSize };
  return tableScanner(deps.connection.table(target.region.table), options, endsScan);
}

async function doScan(deps: ClientServiceDeps, req: ScanRequest): Promise<ScanResponse> {
  const ttl = deps.scanners.leaseMs;
  let id: bigint;
  let scanner: RegionScanner;
  if (req.scanner_id !== undefined) {
    id = BigInt(req.scanner_id);
    if (req.close_scanner) {
      const known = await deps.scanners.close(id);
      if (!known && !deps.scanners.wasFinished(id)) throw unknownScanner(id);
      return { scanner_id: id, more_results: false, ttl };
    }
    const found = deps.scanners.get(id);
    if (!found) {
      if (deps.scanners.wasFinished(id)) return { scanner_id: id, results: [], more_results: false, more_results_in_region: false, ttl };
      throw unknownScanner(id);
    }
    scanner = found;
  } else {
    if (!req.scan) throw doNotRetry("a scan request needs a scan or a scanner_id");
    const target = await resolve(deps, req.region);
    const limit = req.limit_of_rows !== undefined && req.limit_of_rows > 0 ? req.limit_of_rows : undefined;
    scanner = await openScanner(deps, target, req.scan, limit, req.number_of_rows || req.scan.caching || DEFAULT_ROWS);
    id = deps.scanners.add(scanner);
  }
  const n = req.number_of_rows ?? req.scan?.caching ?? DEFAULT_ROWS;
  const batch = n > 0 ? await scanner.next(n) : { runs: [], exhausted: false };
  // encoded straight from the store's rows by ScanResponse's coder (packed rows: no object per cell or row)
  const results = new ScanResultRuns(batch.runs) as unknown as WireResult[];
  const response: ScanResponse = {
    scanner_id: id,
    results,
    more_results: !(batch.exhausted && scanner.endsScan),
    more_results_in_region: !batch.exhausted,
    ttl,
  };
  if (req.close_scanner || (batch.exhausted && deps.compat === 2)) await deps.scanners.close(id);
  return response;
}

async function doMutate(deps: ClientServiceDeps, req: MutateRequest): Promise<MutateResponse> {
  const target = await resolve(deps, req.region);
  if (target.kind === "meta") throw doNotRetry("hbase:meta is read-only on this endpoint");
  const region = target.region;
  const apply = () => applyMutate(deps.connection.table(region.table), region, req.mutation, req.condition);
  const type = req.mutation.mutate_type;
  const idempotent = type !== MutationType.INCREMENT && type !== MutationType.APPEND;
  const key = deps.nonces && !idempotent && !req.condition ? NonceRegistry.key(region.table, req.nonce_group, req.mutation.nonce) : undefined;
  return key === undefined ? apply() : deps.nonces!.run(key, apply);
}

async function doAction(deps: ClientServiceDeps, target: Target, action: Action): Promise<ResultOrException> {
  const index = action.index === undefined ? {} : { index: action.index };
  try {
    if (action.get) return { ...index, result: await doGet(deps, target, action.get) };
    if (action.mutation) {
      if (target.kind === "meta") throw doNotRetry("hbase:meta is read-only on this endpoint");
      const r = await applyMutate(deps.connection.table(target.region.table), target.region, action.mutation, undefined);
      return { ...index, result: r.result ?? {} };
    }
    throw doNotRetry("an action needs a get or a mutation");
  } catch (error) {
    return { ...index, exception: exceptionPair(error) };
  }
}

/**
 * HBase 2's conditional Multi (checkAndMutate of RowMutations): `condition` and exactly one atomic
 * RegionAction, applied with one checkAndMutate; `processed` answers whether it applied. compat 1
 * (the 1.x-era protos, which lack the field) refuses it rather than apply it unconditionally.
 */
async function doConditionalMulti(deps: ClientServiceDeps, req: MultiRequest, condition: NonNullable<MultiRequest["condition"]>): Promise<MultiResponse> {
  if (deps.compat === 1) throw doNotRetry("conditional multi needs HBase 2 (this endpoint runs in compat 1)");
  const actions = req.regionAction ?? [];
  if (actions.length !== 1 || actions[0]!.atomic !== true) throw doNotRetry("a conditional multi takes exactly one atomic region action");
  const ra = actions[0]!;
  let target: Target;
  try {
    target = await resolve(deps, ra.region);
  } catch (error) {
    return { regionActionResult: [{ exception: exceptionPair(error) }], processed: false };
  }
  if (target.kind === "meta") throw doNotRetry("hbase:meta is read-only on this endpoint");
  const answer = await applyConditionalRegionAction(deps.connection.table(target.region.table), target.region, ra.action ?? [], condition);
  return { regionActionResult: [answer.result], processed: answer.processed };
}

async function doMulti(deps: ClientServiceDeps, req: MultiRequest): Promise<MultiResponse> {
  if (req.condition !== undefined) return doConditionalMulti(deps, req, req.condition);
  const out: RegionActionResult[] = [];
  for (const ra of req.regionAction ?? []) {
    let target: Target;
    try {
      target = await resolve(deps, ra.region);
    } catch (error) {
      out.push({ exception: exceptionPair(error) });
      continue;
    }
    const actions = ra.action ?? [];
    if (target.kind === "meta") {
      if (ra.atomic && actions.length > 0) {
        out.push({ exception: exceptionPair(doNotRetry("hbase:meta is read-only on this endpoint")) });
        continue;
      }
      const results: ResultOrException[] = [];
      for (const action of actions) results.push(await doAction(deps, target, action));
      out.push({ resultOrException: results });
      continue;
    }
    const table = deps.connection.table(target.region.table);
    if (ra.atomic) out.push(await applyAtomicRegionAction(table, target.region, actions));
    else out.push({ resultOrException: await applyRegionActions(table, target.region, actions, (action) => doAction(deps, target, action)) });
  }
  return { regionActionResult: out };
}

function mapped<A, R>(fn: (a: A) => Promise<R>): (a: A) => Promise<R> {
  return async (a) => {
    try {
      return await fn(a);
    } catch (error) {
      throw toRemoteError(error);
    }
  };
}

/** The typed ClientService implementation. */
export function clientService(deps: ClientServiceDeps): TypedServiceImpl<"ClientService"> {
  return {
    Get: mapped(async (req: GetRequest): Promise<GetResponse> => ({ result: await doGet(deps, await resolve(deps, req.region), req.get) })),
    Mutate: mapped((req: MutateRequest) => doMutate(deps, req)),
    Scan: mapped((req: ScanRequest) => doScan(deps, req)),
    Multi: mapped((req: MultiRequest) => doMulti(deps, req)),
  };
}
