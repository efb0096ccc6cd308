/**
 * Which worker of a keyed operator owns a key: its key group's (`key-group.ts`). Number keys, the common
 * case, are remembered instead of hashed again. Used by the main thread's side of a parallel keyed
 * operator, and by a worker that sends its records straight to the next keyed operator's workers (the
 * keyed exchange).
 */
import { keyId } from "../key-id.js";
import { keyGroupOfId, KEY_GROUPS, workerOfGroup } from "./key-group.js";

/** Number keys whose worker is remembered (the cache starts over when full). */
const NUMBER_OWNER_CACHE = 1 << 16;

/** Routes keys to the workers of an operator with `parallelism` workers. */
export class KeyRouter {
  private readonly owner: Int32Array;
  /** The worker of recently seen number keys (0 and -0 are one key, as in {@link keyId}). */
  private readonly numberOwner = new Map<number, number>();

  constructor(readonly parallelism: number) {
    this.owner = new Int32Array(KEY_GROUPS);
    for (let g = 0; g < KEY_GROUPS; g++) this.owner[g] = workerOfGroup(g, parallelism);
  }

  /** The worker (0 … parallelism − 1) that owns `key`. */
  workerOf(key: unknown): number {
    if (typeof key === "number") {
      let w = this.numberOwner.get(key);
      if (w === undefined) {
        if (this.numberOwner.size >= NUMBER_OWNER_CACHE) this.numberOwner.clear();
        w = this.owner[keyGroupOfId(keyId(key))]!;
        this.numberOwner.set(key, w);
      }
      return w;
    }
    return this.owner[keyGroupOfId(keyId(key))]!;
  }

  /** The worker that owns the key of id `id`: a number key itself, or the key id of any other key. */
  workerOfId(id: string | number): number {
    return typeof id === "number" ? this.workerOf(id) : this.owner[keyGroupOfId(id)]!;
  }
}
