/**
 * Writes an ordered list of mutations through any {@link Table}, as few calls as possible while every
 * row sees its mutations in the order given: the list is cut into "waves" that alternate puts (one
 * `putMany`, one atomic batch) and deletes (issued together, at most one per row). A mutation goes into
 * the first wave of its kind that comes after the previous mutation of its row, so mutations of
 * different rows may be written in another order than given, never those of one row.
 */
import type { Delete, Mutation, Put, Table } from "./table.js";
import type { MutationFailure } from "./buffered-mutator-error.js";

/** A wave: puts (written with one putMany) or deletes of distinct rows (written concurrently). */
export interface MutationWave {
  readonly kind: "put" | "delete";
  /** Indexes into the planned list. */
  readonly indexes: number[];
}

/** A row key as a string usable as a Map key: its bytes (strings as UTF-8), one char per byte. */
function rowIdentity(row: Uint8Array | string): string {
  const bytes = typeof row === "string" ? Buffer.from(row, "utf8") : Buffer.from(row.buffer, row.byteOffset, row.byteLength);
  return bytes.toString("latin1");
}

/**
 * The waves of `mutations` (already checked): even-numbered waves hold puts, odd-numbered deletes;
 * empty waves are left out. Without deletes, everything is one wave.
 */
export function planWaves(mutations: readonly Mutation[]): MutationWave[] {
  if (mutations.every((m) => m.kind === "put")) {
    return mutations.length === 0 ? [] : [{ kind: "put", indexes: mutations.map((_m, i) => i) }];
  }
  const byNumber: number[][] = [];
  /** For each row, the wave number of its latest mutation. */
  const last = new Map<string, number>();
  mutations.forEach((m, i) => {
    const row = rowIdentity(m.row);
    const previous = last.get(row);
    let wave: number;
    if (m.kind === "put") {
      // Puts of one row may share a batch (the later one wins on equal coordinates).
      wave = previous === undefined ? 0 : previous + (previous % 2);
    } else {
      // A delete goes strictly after any earlier mutation of its row, deletes included.
      wave = previous === undefined ? 1 : previous % 2 === 0 ? previous + 1 : previous + 2;
    }
    last.set(row, wave);
    (byNumber[wave] ??= []).push(i);
  });
  const waves: MutationWave[] = [];
  byNumber.forEach((indexes, n) => {
    if (indexes !== undefined && indexes.length > 0) waves.push({ kind: n % 2 === 0 ? "put" : "delete", indexes });
  });
  return waves;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Writes `mutations` in waves (see {@link planWaves}). When a wave's putMany fails, its puts are
 * written one by one, so one bad put (an unknown family, say) fails alone. Resolves with the
 * mutations that could not be written, in the order given (empty when all were written).
 */
export async function writeMutations(table: Table, mutations: readonly Mutation[]): Promise<MutationFailure[]> {
  const failed: { index: number; error: Error }[] = [];
  for (const wave of planWaves(mutations)) {
    if (wave.kind === "put") {
      const puts = wave.indexes.map((i) => mutations[i] as Put);
      try {
        await table.putMany(puts);
      } catch {
        for (const i of wave.indexes) {
          try {
            await table.putMany([mutations[i] as Put]);
          } catch (error) {
            failed.push({ index: i, error: asError(error) });
          }
        }
      }
    } else {
      await Promise.all(
        wave.indexes.map(async (i) => {
          try {
            await table.delete(mutations[i] as Delete);
          } catch (error) {
            failed.push({ index: i, error: asError(error) });
          }
        }),
      );
    }
  }
  failed.sort((a, b) => a.index - b.index);
  return failed.map((f) => ({ mutation: mutations[f.index]!, error: f.error }));
}
