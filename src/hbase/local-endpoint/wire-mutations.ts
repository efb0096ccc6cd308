/**
 * MutationProto (PUT, DELETE kinds, INCREMENT, APPEND) and check-and-mutate conditions applied
 * through the Table API. A cell timestamp of 2^63−1 (or none) means "server time now".
 */
import {
  CellType,
  CompareType,
  decodeComparator,
  DeleteType,
  LATEST_TIMESTAMP,
  MutationType,
  type Cell as WireCell,
  type Condition,
  type MutateResponse,
  type MutationProto,
} from "../wire/hbase-protos.js";
import { HBaseRemoteError } from "../wire/errors.js";
import type { CheckCondition, Delete, Mutation, Put, Table } from "../table.js";
import { compareBytes } from "../bytes/bytes.js";
import { doNotRetry } from "./endpoint-errors.js";
import { checkFamily } from "./wire-reads.js";
import type { ServedRegion } from "./region-directory.js";

type Long = bigint | number | undefined;

/** A timestamp from the wire, or undefined for "server time" (absent or 2^63−1). */
function explicitTimestamp(ts: Long): number | undefined {
  if (ts === undefined) return undefined;
  const b = BigInt(ts);
  return b === LATEST_TIMESTAMP ? undefined : Number(b);
}

/** Throws HBase's WrongRegionException when `row` is outside the region. */
export function checkRowInRegion(region: ServedRegion, row: Uint8Array): void {
  const below = compareBytes(row, region.startKey) < 0;
  const above = region.endKey.length > 0 && compareBytes(row, region.endKey) >= 0;
  if (below || above) {
    throw new HBaseRemoteError(
      { className: "org.apache.hadoop.hbase.regionserver.WrongRegionException" },
      `Requested row out of range for region ${new TextDecoder().decode(region.name)}`,
    );
  }
}

/** A PUT or DELETE as Table API mutations of its row (families checked). */
export function mutationsFromWire(region: ServedRegion, m: MutationProto): Mutation[] {
  const row = m.row;
  if (!row || row.length === 0) throw doNotRetry("a mutation needs a row");
  const columns = m.column_value ?? [];
  for (const cv of columns) checkFamily(region, cv.family);
  if (m.mutate_type === MutationType.PUT) {
    const cells: Put["cells"][number][] = [];
    for (const cv of columns) {
      for (const qv of cv.qualifier_value ?? []) {
        const ts = explicitTimestamp(qv.timestamp ?? m.timestamp);
        cells.push({ family: cv.family, qualifier: qv.qualifier ?? new Uint8Array(), value: qv.value ?? new Uint8Array(), ...(ts === undefined ? {} : { timestamp: ts }) });
      }
    }
    if (cells.length === 0) throw doNotRetry("a put needs at least one cell");
    return [{ kind: "put", row, cells }];
  }
  if (m.mutate_type === MutationType.DELETE) {
    const rowTs = explicitTimestamp(m.timestamp);
    if (columns.length === 0) return [{ kind: "delete", row, ...(rowTs === undefined ? {} : { timestamp: rowTs }) }];
    const out: Mutation[] = [];
    for (const cv of columns) {
      const qvs = cv.qualifier_value ?? [];
      if (qvs.length === 0) out.push({ kind: "delete", row, family: cv.family, ...(rowTs === undefined ? {} : { timestamp: rowTs }) });
      for (const qv of qvs) {
        const ts = explicitTimestamp(qv.timestamp ?? m.timestamp);
        const tsPart = ts === undefined ? {} : { timestamp: ts };
        const type = qv.delete_type ?? DeleteType.DELETE_ONE_VERSION;
        let d: Delete;
        if (type === DeleteType.DELETE_FAMILY) d = { row, family: cv.family, ...tsPart };
        // "Latest" for a family version means the server's now, as HBase's region server does.
        else if (type === DeleteType.DELETE_FAMILY_VERSION) d = { row, family: cv.family, allVersions: false, timestamp: ts ?? Date.now() };
        else if (type === DeleteType.DELETE_MULTIPLE_VERSIONS) d = { row, family: cv.family, qualifier: qv.qualifier ?? new Uint8Array(), allVersions: true, ...tsPart };
        else if (type === DeleteType.DELETE_ONE_VERSION) d = { row, family: cv.family, qualifier: qv.qualifier ?? new Uint8Array(), allVersions: false, ...tsPart };
        else throw doNotRetry(`unknown delete type ${String(type)}`);
        out.push({ kind: "delete", ...d });
      }
    }
    return out;
  }
  throw doNotRetry(`mutation type ${String(m.mutate_type)} cannot be combined here`);
}

/** Applies one row's puts and deletes (atomically when there are several). */
async function applyRowMutations(table: Table, row: Uint8Array, mutations: Mutation[]): Promise<void> {
  if (mutations.length === 1) {
    const only = mutations[0]!;
    if (only.kind === "put") await table.put(only);
    else await table.delete(only);
    return;
  }
  await table.mutateRow(row, mutations);
}

/**
 * A check-and-mutate condition as the Table API's. HBase compares `operand <op> stored`
 * (HRegion.checkAndMutate: `comparator.compareTo(stored)`), the Table API `stored <op> operand`, so
 * the inequalities swap sides. A NullComparator with EQUAL means "column absent".
 */
export function conditionFromWire(region: ServedRegion, condition: Condition, row: Uint8Array): CheckCondition {
  if (compareBytes(condition.row, row) !== 0) throw doNotRetry("the condition's row must be the mutation's row");
  checkFamily(region, condition.family);
  const c = decodeComparator(condition.comparator);
  const base = { family: condition.family, qualifier: condition.qualifier };
  if (c.kind === "NullComparator") {
    if (condition.compare_type !== CompareType.EQUAL) throw doNotRetry("a NullComparator condition is only supported with EQUAL");
    return { ...base, op: "equal" };
  }
  if (c.kind !== "BinaryComparator") throw doNotRetry(`condition comparator ${condition.comparator.name} is not supported by this endpoint`);
  const value = c.message.comparable.value ?? new Uint8Array();
  const ops: Record<number, CheckCondition["op"]> = {
    [CompareType.LESS]: "greater",
    [CompareType.LESS_OR_EQUAL]: "greaterOrEqual",
    [CompareType.EQUAL]: "equal",
    [CompareType.NOT_EQUAL]: "notEqual",
    [CompareType.GREATER_OR_EQUAL]: "lessOrEqual",
    [CompareType.GREATER]: "less",
  };
  const op = ops[condition.compare_type];
  if (!op) throw doNotRetry(`condition compare type ${condition.compare_type} is not supported`);
  return { ...base, op, value };
}

function int64(value: Uint8Array): bigint {
  if (value.length !== 8) throw doNotRetry(`Field is not a long, it's ${value.length} bytes wide`);
  return new DataView(value.buffer, value.byteOffset, 8).getBigInt64(0, false);
}

function longBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, n, false);
  return out;
}

/** Applies a MutateRequest's mutation (and condition) to the region's table; answers as HBase does. */
export async function applyMutate(table: Table, region: ServedRegion, m: MutationProto, condition: Condition | undefined): Promise<MutateResponse> {
  const row = m.row ?? new Uint8Array();
  checkRowInRegion(region, row);
  if (condition) {
    if (m.mutate_type !== MutationType.PUT && m.mutate_type !== MutationType.DELETE) {
      throw doNotRetry("check-and-mutate is supported with PUT and DELETE");
    }
    const processed = await table.checkAndMutate(row, conditionFromWire(region, condition, row), mutationsFromWire(region, m));
    return { processed };
  }
  if (m.mutate_type === MutationType.PUT || m.mutate_type === MutationType.DELETE) {
    await applyRowMutations(table, row, mutationsFromWire(region, m));
    return { processed: true };
  }
  if (m.mutate_type === MutationType.INCREMENT || m.mutate_type === MutationType.APPEND) {
    const cells: WireCell[] = [];
    for (const cv of m.column_value ?? []) {
      checkFamily(region, cv.family);
      for (const qv of cv.qualifier_value ?? []) {
        const qualifier = qv.qualifier ?? new Uint8Array();
        const value =
          m.mutate_type === MutationType.INCREMENT
            ? longBytes(await table.increment(row, cv.family, qualifier, int64(qv.value ?? new Uint8Array())))
            : await table.append(row, cv.family, qualifier, qv.value ?? new Uint8Array());
        cells.push({ row, family: cv.family, qualifier, timestamp: BigInt(Date.now()), cell_type: CellType.PUT, value });
      }
    }
    return { result: { cell: cells }, processed: true };
  }
  throw doNotRetry(`unknown mutation type ${String(m.mutate_type)}`);
}
