/** `schema()`: a schema literal checked at once, with its literal type kept for record-type inference. */
import type { SchemaSpec } from "./schema-spec.js";
import { validateSchema } from "./validate-schema.js";

/**
 * Checks a schema literal and returns it, frozen, with its literal type kept, so that
 * `RecordOf<typeof bids>` is inferred from it:
 *
 * ```ts
 * const bids = schema({ rowKey: "string", families: { d: { price: "double", bidder: "int64" } } });
 * type Bid = RecordOf<typeof bids>; // { rowKey: string; d: { price?: number; bidder?: bigint } }
 * ```
 *
 * @throws TypeError naming the problem: an unknown codec name, a malformed schema, a family named
 *   "rowKey" (it would clash with the row-key field), a family without qualifiers
 */
export function schema<const S extends SchemaSpec>(spec: S): S {
  validateSchema(spec);
  return deepFreeze(spec);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
