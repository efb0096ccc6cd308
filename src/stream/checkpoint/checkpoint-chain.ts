/**
 * Incremental checkpoints as chains: a full checkpoint (the base) followed by deltas, each naming its
 * parent. Reading a checkpoint reads its chain from the base and applies the deltas in order;
 * {@link ChainPolicy} decides when the next checkpoint is a delta and when a new full base (every
 * `fullEvery` checkpoints, or once the deltas exceed {@link DELTAS_OVER_BASE} times the base) — written
 * by the job, or materialised in the background from the stored chain (`chain-materializer.ts`).
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

/**
 * A chain grows to at most this many times `fullEvery` checkpoints while background materialisation
 * lags (or keeps failing); beyond, the job writes a full checkpoint itself.
 */
export const MATERIALIZE_LAG_LIMIT = 3;

/**
 * With background materialisation, a chain due for a new base whose last delta is at least this share
 * of the base gets its base from the job instead: when (nearly) every key changes between checkpoints
 * a delta costs the job's thread as much as a full checkpoint, and folding such a chain would only
 * re-encode the same state a second time on another core.
 */
export const FULL_WHEN_DELTA_OVER = 0.5;

/**
 * When the next checkpoint is a delta, and of what; and, with background materialisation, when a
 * checkpoint of the chain should become the new base.
 *
 * Without background materialisation (`background` false) the job writes a new base itself every
 * `fullEvery` checkpoints or once the deltas outweigh the base ({@link DELTAS_OVER_BASE}). With it, the
 * job writes deltas only (after the first full checkpoint) and {@link due} names the checkpoint to
 * materialise at those same moments; {@link materialized} then starts the chain at that checkpoint.
 * Exception: when the last delta was about as large as the base ({@link FULL_WHEN_DELTA_OVER}), the
 * job writes the base (it costs no more than the next delta would).
 */
export class ChainPolicy {
  private chain: { base: number; baseBytes: number; links: { id: number; bytes: number }[] } | undefined;

  /**
   * @param fullEvery - a new base at least every this many checkpoints (1: always full)
   * @param background - new bases are materialised in the background (the job writes deltas only)
   */
  constructor(
    private readonly fullEvery: number,
    readonly background = false,
  ) {
    if (!Number.isSafeInteger(fullEvery) || fullEvery < 1) throw new RangeError(`checkpoint.fullEvery must be an integer ≥ 1, got ${String(fullEvery)}`);
  }

  /** The parent and base of the next checkpoint if it should be a delta, else undefined (a full one). */
  next(): { parent: number; base: number } | undefined {
    const c = this.chain;
    if (c === undefined || this.fullEvery <= 1) return undefined;
    if (this.background ? c.links.length + 1 >= MATERIALIZE_LAG_LIMIT * this.fullEvery || this.fullFromJob(c) : this.rebaseDue(c)) return undefined;
    return { parent: c.links.at(-1)?.id ?? c.base, base: c.base };
  }

  /**
   * Background materialisation: the id of the chain's last checkpoint when the chain is due for a new
   * base (as long as or heavier than {@link next} allows without background materialisation), else undefined.
   */
  due(): number | undefined {
    const c = this.chain;
    if (!this.background || c === undefined || c.links.length === 0 || !this.rebaseDue(c) || this.fullFromJob(c)) return undefined;
    return c.links.at(-1)!.id;
  }

  /** Records a written checkpoint (full when `info.parent` is absent). */
  written(info: CheckpointInfo): void {
    if (info.parent === undefined) this.chain = { base: info.id, baseBytes: info.bytes, links: [] };
    else if (this.chain !== undefined) this.chain.links.push({ id: info.id, bytes: info.bytes });
  }

  /** A checkpoint of the chain was materialised (`info`: it as now stored, a base): the chain starts there. */
  materialized(info: CheckpointInfo): void {
    const c = this.chain;
    const at = c?.links.findIndex((l) => l.id === info.id) ?? -1;
    if (c === undefined || at < 0) return;
    this.chain = { base: info.id, baseBytes: info.bytes, links: c.links.slice(at + 1) };
  }

  /** Forgets the chain: the next checkpoint is full (after a failed write or a restore). */
  reset(): void {
    this.chain = undefined;
  }

  /** Due for a base, and the last delta about as large as a full checkpoint: the job writes the base. */
  private fullFromJob(c: NonNullable<ChainPolicy["chain"]>): boolean {
    const last = c.links.at(-1);
    return last !== undefined && this.rebaseDue(c) && last.bytes >= FULL_WHEN_DELTA_OVER * c.baseBytes;
  }

  /** A long chain, or deltas that together outweigh the base several times over (a restore reads them all). */
  private rebaseDue(c: NonNullable<ChainPolicy["chain"]>): boolean {
    const deltaBytes = c.links.reduce((n, l) => n + l.bytes, 0);
    // A state that grows makes early bases small, so not at once.
    return c.links.length + 1 >= this.fullEvery || deltaBytes > DELTAS_OVER_BASE * c.baseBytes;
  }
}
