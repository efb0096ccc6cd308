/**
 * The `state` option of `start()`: where keyed operators keep their per-key state.
 *
 * @example
 * ```ts
 * job.start({ state: { backend: "heap" } });                                  // the default
 * job.start({ state: { backend: "disk", path: "./.sluice/state/q5" } });      // LMDB, larger than memory
 * ```
 */

/** Keyed state on the JavaScript heap (the default). */
export interface HeapStateOptions {
  readonly backend: "heap";
}

/** Keyed state of keyed process functions in an LMDB environment on disk (see `src/stream/state/README.md`). */
export interface DiskStateOptions {
  readonly backend: "disk";
  /**
   * A directory for the job's working state (created when missing). It is scratch space: emptied when
   * the job starts and deleted when it ends; checkpoints are the durable copy. One running job per path.
   */
  readonly path: string;
  /** Keys whose decoded state stays in memory (a write-back LRU cache; default 10,000; 0 disables). */
  readonly cacheKeys?: number;
}

/** Where a job's keyed state lives. */
export type StateOptions = HeapStateOptions | DiskStateOptions;

/** Default of {@link DiskStateOptions.cacheKeys}. */
export const DEFAULT_CACHE_KEYS = 10_000;

/** Checks `start({ state })`; throws a clear error naming what is wrong. */
export function checkStateOptions(options: unknown): StateOptions {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`start: state must be { backend: "heap" } or { backend: "disk", path }, got ${describe(options)}`);
  }
  const o = options as Record<string, unknown>;
  const known = new Set(o.backend === "disk" ? ["backend", "path", "cacheKeys"] : ["backend"]);
  for (const k of Object.keys(o)) {
    if (!known.has(k)) throw new TypeError(`start: state has no option ${JSON.stringify(k)} (backend ${JSON.stringify(o.backend)} takes ${[...known].join(", ")})`);
  }
  if (o.backend === "heap") return { backend: "heap" };
  if (o.backend !== "disk") throw new TypeError(`start: state.backend must be "heap" or "disk", got ${describe(o.backend)}`);
  if (typeof o.path !== "string" || o.path.length === 0) throw new TypeError(`start: state.path must be a non-empty directory path for the disk backend, got ${describe(o.path)}`);
  const cacheKeys = o.cacheKeys ?? DEFAULT_CACHE_KEYS;
  if (typeof cacheKeys !== "number" || !Number.isSafeInteger(cacheKeys) || cacheKeys < 0) {
    throw new RangeError(`start: state.cacheKeys must be an integer ≥ 0, got ${describe(o.cacheKeys)}`);
  }
  return { backend: "disk", path: o.path, cacheKeys };
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined || typeof value !== "object" || value === null) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
