/**
 * Comparators (HBase's ByteArrayComparable subclasses) and compare ops (CompareOperator), compiled to
 * plain functions. A comparator answers like HBase's `compareTo(stored)`: the operand's order against
 * the stored bytes; an op then says whether `stored <op> operand` holds.
 */
import { compareBytes } from "../bytes/bytes.js";
import type { CompareOp } from "./filter.js";

/**
 * A compiled comparator: negative when the operand sorts before `stored`, 0 when they match, positive
 * when the operand sorts after `stored` (HBase's `ByteArrayComparable.compareTo(value)`).
 */
export type CompiledComparator = (stored: Uint8Array) => number;

/** The compare ops, in the spelling filters use. */
export const COMPARE_OPS: readonly CompareOp[] = ["less", "lessOrEqual", "equal", "notEqual", "greaterOrEqual", "greater"];

/** Ops a substring comparator accepts (it only tells "contains" from "does not contain"). */
export const SUBSTRING_OPS: readonly CompareOp[] = ["equal", "notEqual"];

/**
 * Whether `stored <op> operand` holds, given `result` = comparator.compareTo(stored) (operand against
 * stored, so the signs are mirrored: `less` holds when the operand is greater than the stored bytes).
 */
export function opHolds(op: CompareOp, result: number): boolean {
  switch (op) {
    case "less":
      return result > 0;
    case "lessOrEqual":
      return result >= 0;
    case "equal":
      return result === 0;
    case "notEqual":
      return result !== 0;
    case "greaterOrEqual":
      return result <= 0;
    case "greater":
      return result < 0;
  }
}

/**
 * Binary (BinaryComparator): unsigned lexicographic order of the whole operand against the whole
 * stored value.
 */
export function binaryComparator(operand: Uint8Array): CompiledComparator {
  return (stored) => compareBytes(operand, stored);
}

/**
 * Binary prefix (BinaryPrefixComparator): the operand against the stored value's first
 * `operand.length` bytes (the whole value when it is shorter, which then sorts before the operand).
 */
export function binaryPrefixComparator(operand: Uint8Array): CompiledComparator {
  return (stored) => compareBytes(operand, stored.length > operand.length ? stored.subarray(0, operand.length) : stored);
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Substring (SubstringComparator): 0 when the stored bytes, decoded as UTF-8 (invalid sequences become
 * U+FFFD) and lower-cased, contain the lower-cased operand; 1 otherwise.
 */
export function substringComparator(operand: string): CompiledComparator {
  const needle = operand.toLowerCase();
  return (stored) => (decoder.decode(stored).toLowerCase().includes(needle) ? 0 : 1);
}
