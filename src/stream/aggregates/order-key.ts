/** Keys that order elements (top-k, min-by, max-by). */

/** A key compared with `<`: numbers, strings or bigints (one kind per aggregate). */
export type OrderKey = number | string | bigint;

/** Throws a RangeError naming the aggregate when a key cannot be ordered (NaN). */
export function requireOrderable(aggregate: string, key: OrderKey): void {
  if (typeof key === "number" && Number.isNaN(key)) {
    throw new RangeError(`${aggregate}: the key function returned NaN, which has no order`);
  }
}
