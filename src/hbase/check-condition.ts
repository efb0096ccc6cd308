/**
 * The check of check-and-mutate, the same for every backend: the stored value of the checked column
 * (its latest version, or undefined when absent) compared with the expected one — the Table API's
 * direction, `stored <op> expected`; an undefined expected value means "column absent" (`equal`) or
 * "column present" (any other op).
 */
import type { CheckCondition } from "./table.js";
import { compareBytes } from "./bytes/bytes.js";

/**
 * Whether a check-and-mutate condition holds.
 * @param label the table, for the error on an unknown operator
 */
export function conditionHolds(
  stored: Uint8Array | undefined,
  op: NonNullable<CheckCondition["op"]>,
  expected: Uint8Array | undefined,
  label: string,
): boolean {
  if (expected === undefined) return op === "equal" ? stored === undefined : stored !== undefined;
  if (stored === undefined) return false;
  const c = compareBytes(stored, expected);
  switch (op) {
    case "equal":
      return c === 0;
    case "notEqual":
      return c !== 0;
    case "less":
      return c < 0;
    case "lessOrEqual":
      return c <= 0;
    case "greater":
      return c > 0;
    case "greaterOrEqual":
      return c >= 0;
    default:
      throw new Error(`table ${label}: unknown compare op "${String(op)}"`);
  }
}
