/**
 * One RegionAction of a Multi call applied to a user region's table, fast and with HBase's semantics:
 *
 * - not atomic: actions in order, one `ResultOrException` per action; each run of consecutive
 *   unconditioned PUT actions is written with ONE `table.putMany` (one store batch). The store's
 *   `putMany` is all or nothing, so when it fails the run is replayed action by action, only to find
 *   which actions fail (each gets its own exception, the others are written, as one by one).
 * - atomic (HBase's `RowMutations` / `mutateRows`): PUT and DELETE actions of one row applied with one
 *   `table.mutateRow`, all or nothing; any bad action (another row, another mutation type, a get, an
 *   unknown family) fails the whole region action with nothing written.
 * - conditional (HBase 2's conditional Multi: `MultiRequest.condition` + one atomic RegionAction): the
 *   same mutations applied with one `table.checkAndMutate`, so the check and the writes are atomic.
 */
import type { Mutation, Put, Table } from "../table.js";
import { compareBytes } from "../bytes/bytes.js";
import { MutationType, type Action, type Condition, type NameBytesPair, type RegionActionResult, type ResultOrException } from "../wire/hbase-protos.js";
import { doNotRetry, toRemoteError } from "./endpoint-errors.js";
import type { ServedRegion } from "./region-directory.js";
import { checkRowInRegion, conditionFromWire, mutationsFromWire } from "./wire-mutations.js";

const encoder = new TextEncoder();

/** An error as a Multi answer's `NameBytesPair` (HBase class name, message). */
export function exceptionPair(error: unknown): NameBytesPair {
  const e = toRemoteError(error);
  return { name: e.className, value: encoder.encode(e.message) };
}

function indexOf(action: Action): { index?: number } {
  return action.index === undefined ? {} : { index: action.index };
}

/** Whether the action is a PUT that can join a `putMany` run. */
function isPlainPut(action: Action): boolean {
  return action.get === undefined && action.mutation !== undefined && action.mutation.mutate_type === MutationType.PUT;
}

/** A PUT action as the Table API's put (row in the region, families known): throws as HBase would. */
function putOf(region: ServedRegion, action: Action): Put {
  const m = action.mutation!;
  checkRowInRegion(region, m.row ?? new Uint8Array());
  const [put] = mutationsFromWire(region, m);
  if (put === undefined || put.kind !== "put") throw doNotRetry("a PUT action must be one put");
  return put;
}

/**
 * Writes a run of PUT actions: every action converted (a bad one answers its own exception), the good
 * ones written with one `putMany`; if that fails, one by one, so each failing action is named.
 */
async function applyPutRun(table: Table, region: ServedRegion, run: readonly Action[], out: ResultOrException[]): Promise<void> {
  const answers: ResultOrException[] = new Array(run.length);
  const puts: Put[] = [];
  const positions: number[] = [];
  for (let i = 0; i < run.length; i++) {
    const action = run[i]!;
    try {
      puts.push(putOf(region, action));
      positions.push(i);
    } catch (error) {
      answers[i] = { ...indexOf(action), exception: exceptionPair(error) };
    }
  }
  if (puts.length > 0) {
    try {
      await table.putMany(puts);
      for (const i of positions) answers[i] = { ...indexOf(run[i]!), result: {} };
    } catch {
      // putMany wrote nothing: find the failing actions one by one
      for (let k = 0; k < puts.length; k++) {
        const i = positions[k]!;
        try {
          await table.put(puts[k]!);
          answers[i] = { ...indexOf(run[i]!), result: {} };
        } catch (error) {
          answers[i] = { ...indexOf(run[i]!), exception: exceptionPair(error) };
        }
      }
    }
  }
  for (const a of answers) out.push(a);
}

/**
 * A non-atomic RegionAction on a user region: runs of PUTs batched, every other action through
 * `single` (which answers its own exception). One answer per action, in order.
 */
export async function applyRegionActions(
  table: Table,
  region: ServedRegion,
  actions: readonly Action[],
  single: (action: Action) => Promise<ResultOrException>,
): Promise<ResultOrException[]> {
  const out: ResultOrException[] = [];
  let i = 0;
  while (i < actions.length) {
    if (!isPlainPut(actions[i]!)) {
      out.push(await single(actions[i]!));
      i++;
      continue;
    }
    let end = i + 1;
    while (end < actions.length && isPlainPut(actions[end]!)) end++;
    await applyPutRun(table, region, actions.slice(i, end), out);
    i = end;
  }
  return out;
}

/** The row and Table API mutations of an atomic region action's actions: throws as HBase would. */
function atomicMutations(region: ServedRegion, actions: readonly Action[]): { row: Uint8Array; mutations: Mutation[] } {
  let row: Uint8Array | undefined;
  const mutations: Mutation[] = [];
  for (const action of actions) {
    const m = action.mutation;
    if (action.get !== undefined || m === undefined) throw doNotRetry("an atomic region action takes only mutations (no gets)");
    if (m.mutate_type !== MutationType.PUT && m.mutate_type !== MutationType.DELETE) {
      throw doNotRetry("an atomic region action takes only PUT and DELETE mutations");
    }
    const r = m.row ?? new Uint8Array();
    if (row === undefined) {
      checkRowInRegion(region, r);
      row = r;
    } else if (compareBytes(row, r) !== 0) {
      throw doNotRetry("the mutations of an atomic region action must all be of the same row");
    }
    for (const x of mutationsFromWire(region, m)) mutations.push(x);
  }
  if (row === undefined) throw doNotRetry("an atomic region action needs at least one mutation");
  return { row, mutations };
}

/**
 * An atomic RegionAction: PUT and DELETE actions of one row, applied with one `mutateRow` (all or
 * nothing). Answers an empty Result per action, or the region action's exception with nothing written.
 */
export async function applyAtomicRegionAction(table: Table, region: ServedRegion, actions: readonly Action[]): Promise<RegionActionResult> {
  try {
    if (actions.length === 0) return { resultOrException: [] };
    const { row, mutations } = atomicMutations(region, actions);
    await table.mutateRow(row, mutations);
    return { resultOrException: actions.map((a) => ({ ...indexOf(a), result: {} })) };
  } catch (error) {
    return { exception: exceptionPair(error) };
  }
}

/** What a conditional region action answers: its RegionActionResult and MultiResponse's `processed`. */
export interface ConditionalAnswer {
  readonly result: RegionActionResult;
  readonly processed: boolean;
}

/**
 * HBase 2's conditional Multi on one region: the atomic region action's PUT and DELETE mutations of the
 * condition's row applied with one `checkAndMutate` (the check and the writes atomic). Applied: an
 * empty Result per action, `processed` true; the condition false: no answers per action, `processed`
 * false; a bad action or condition (another row, a get, an unknown family, …): the region action's
 * exception, nothing written.
 */
export async function applyConditionalRegionAction(table: Table, region: ServedRegion, actions: readonly Action[], condition: Condition): Promise<ConditionalAnswer> {
  try {
    const { row, mutations } = atomicMutations(region, actions);
    const processed = await table.checkAndMutate(row, conditionFromWire(region, condition, row), mutations);
    return { result: { resultOrException: processed ? actions.map((a) => ({ ...indexOf(a), result: {} })) : [] }, processed };
  } catch (error) {
    return { result: { exception: exceptionPair(error) }, processed: false };
  }
}
