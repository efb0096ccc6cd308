/**
 * Incremental checkpoints as chains: a full checkpoint (the base) followed by deltas, each naming its
 * parent. Reading a checkpoint reads its chain from the base and applies the deltas in order;
 * {@link ChainPolicy} decides when the next checkpoint is a delta and when a new full base (every
 * `fullEvery` checkpoints, or once the deltas exceed {@link DELTAS_OVER_BASE} times the base).
 */
import type { CheckpointInfo, CheckpointStore } from "./checkpoint-store.js";
import { decodeSnapshot } from "./snapshot-codec.js";

/** Defaults of incremental checkpointing. */
export const DEFAULT_FULL_EVERY = 10;
/** A chain gets a new base once its deltas together exceed this many times the base's size. */
export const DELTAS_OVER_BASE = 3;

/** The checkpoints `info` needs, base first (itself last); throws naming a missing link. */
export function chainOf(info: CheckpointInfo, all: readonly CheckpointInfo[]): CheckpointInfo[] {
  const chain: CheckpointInfo[] = [info];
  const byId = new Map(all.filter((c) => c.kind === "checkpoint").map((c) => [c.id, c]));
  for (let c = info; c.parent !== undefined; ) {
    const parent = byId.get(c.parent);
    if (parent === undefined || chain.length > all.length) {
      throw new Error(`checkpoint ${info.id} is incremental and needs checkpoint ${c.parent}, which is not in the checkpoint storage (the chain is broken)`);
    }
    chain.unshift(parent);
    c = parent;
  }
  return chain;
}

/**
 * Reads a checkpoint's decoded snapshot: its chain's snapshots from the base, combined by `apply`
 * (which folds a delta snapshot into the state so far).
 */
export async function readChain<S>(
  store: CheckpointStore,
  info: CheckpointInfo,
  all: readonly CheckpointInfo[],
  apply: (state: S, delta: S) => S,
): Promise<S> {
  let state: S | undefined;
  for (const c of chainOf(info, all)) {
    const snapshot = decodeSnapshot(await store.read(c)) as S;
    state = state === undefined ? snapshot : apply(state, snapshot);
  }
  return state!;
}

/** When the next checkpoint is a delta, and of what. */
export class ChainPolicy {
  private chain: { base: number; last: number; length: number; baseBytes: number; deltaBytes: number } | undefined;

  /**
   * @param fullEvery - a full checkpoint at least every this many checkpoints (1: always full)
   */
  constructor(private readonly fullEvery: number) {
    if (!Number.isSafeInteger(fullEvery) || fullEvery < 1) throw new RangeError(`checkpoint.fullEvery must be an integer ≥ 1, got ${String(fullEvery)}`);
  }

  /** The parent and base of the next checkpoint if it should be a delta, else undefined (a full one). */
  next(): { parent: number; base: number } | undefined {
    const c = this.chain;
    // A new base when the chain is long, or its deltas together outweigh the base several times over
    // (a restore reads them all; a state that grows makes early bases small, so not at once).
    if (c === undefined || c.length >= this.fullEvery || c.deltaBytes > DELTAS_OVER_BASE * c.baseBytes) return undefined;
    return { parent: c.last, base: c.base };
  }

  /** Records a written checkpoint (full when `info.parent` is absent). */
  written(info: CheckpointInfo): void {
    if (info.parent === undefined) this.chain = { base: info.id, last: info.id, length: 1, baseBytes: info.bytes, deltaBytes: 0 };
    else if (this.chain !== undefined) {
      this.chain.last = info.id;
      this.chain.length++;
      this.chain.deltaBytes += info.bytes;
    }
  }

  /** Forgets the chain: the next checkpoint is full (after a failed write or a restore). */
  reset(): void {
    this.chain = undefined;
  }
}
