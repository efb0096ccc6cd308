/**
 * A small, fast, seeded hash used as a counter-based random number generator: the k-th random value of
 * event `n` is a pure function of (seed, n, k), so any event can be generated on its own, in any order,
 * with no state carried between events (which makes restore from an event number exact).
 *
 * The mixing is the 32-bit finaliser of MurmurHash3 (`fmix32`) applied to a Weyl-sequence combination of
 * the inputs; quality is ample for synthetic benchmark data and it costs a handful of integer
 * multiplications. Not for cryptography.
 */

const GOLDEN = 0x9e3779b9;
const TWO_POW_32 = 4294967296;

/** MurmurHash3's 32-bit finaliser: an avalanching bijection on 32-bit integers. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The per-event base hash of event number `n` (a non-negative integer below 2^53) under `seed`
 * (a 32-bit integer). Feed it to {@link drawUint32} / {@link drawUnit} with distinct draw indexes.
 */
export function eventHash(seed: number, n: number): number {
  const lo = n >>> 0;
  const hi = Math.floor(n / TWO_POW_32) >>> 0;
  const a = mix32((seed ^ 0x5bd1e995) + Math.imul(lo, GOLDEN));
  return mix32(a ^ Math.imul(hi + 0x27d4eb2f, 0x165667b1));
}

/** The `k`-th random 32-bit unsigned integer of an event whose base hash is `base`. */
export function drawUint32(base: number, k: number): number {
  return mix32(base + Math.imul(k + 1, GOLDEN));
}

/** The `k`-th random number in [0, 1) of an event whose base hash is `base`. */
export function drawUnit(base: number, k: number): number {
  return drawUint32(base, k) / TWO_POW_32;
}

/** The `k`-th random integer in [0, bound) of an event whose base hash is `base` (`bound` ≥ 1). */
export function drawBelow(base: number, k: number, bound: number): number {
  return Math.floor(drawUnit(base, k) * bound);
}
