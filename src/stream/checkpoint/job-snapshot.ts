/**
 * What a job's checkpoint holds ({@link JobSnapshot}: the pipeline's shape, every split's position, every
 * operator's state) and how an incremental one folds into the state before it ({@link foldJobSnapshot}).
 * Pure functions of plain data: the job's thread uses them to restore, the materialisation worker to turn
 * a chain into a new base.
 */
import { applyKeyedDelta, isKeyedDelta, type KeyedFullSnapshot } from "../state/keyed-snapshot.js";

/** A job's checkpointed state. */
export interface JobSnapshot {
  /** The pipeline's operators, in order (a restore refuses a different shape). */
  shape: string[];
  /** Every source split's position, by split key. */
  splits: Record<string, { position: unknown; ended: boolean }>;
  /** Every operator's state, by operator key (keyed operators of a delta: a keyed delta snapshot). */
  operators: Record<string, unknown>;
}

/** `state` with the incremental snapshot `delta` applied: keyed operators' deltas folded in, everything else replaced. */
export function foldJobSnapshot(state: JobSnapshot, delta: JobSnapshot): JobSnapshot {
  if (state === null || typeof state !== "object" || state.operators === null || typeof state.operators !== "object") {
    throw new Error("an incremental checkpoint follows something that is not a job's checkpoint (the chain is damaged)");
  }
  const operators: Record<string, unknown> = {};
  for (const [key, part] of Object.entries(delta.operators)) {
    operators[key] = isKeyedDelta(part) ? applyKeyedDelta(state.operators[key] as KeyedFullSnapshot, part) : part;
  }
  return { shape: delta.shape, splits: delta.splits, operators };
}
