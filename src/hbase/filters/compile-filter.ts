/**
 * compileFilter: checks a {@link Filter} value (it may come from untyped notebook code) and turns it
 * into a {@link RowFilterRun} that applies HBase's filter semantics to whole rows.
 */
import { toStringBinary } from "../bytes/bytes.js";
import type { CompareOp, Filter } from "./filter.js";
import type { RowFilterRun } from "./row-filter.js";
import type { CompiledComparator } from "./comparators.js";
import { binaryComparator, binaryPrefixComparator, COMPARE_OPS, SUBSTRING_OPS, substringComparator } from "./comparators.js";
import type { FilterNode } from "./filter-node.js";
import { InvalidFilterError } from "./invalid-filter-error.js";
import { ColumnPrefixNode, KeyOnlyNode, QualifierCompareNode, ValueCompareNode } from "./cell-filters.js";
import { RowCompareNode, RowPrefixNode } from "./row-key-filters.js";
import { SingleColumnValueNode } from "./single-column-value-filter.js";
import { PageNode } from "./page-filter.js";
import { MustPassAllNode, MustPassOneNode } from "./filter-list.js";
import { FilterRun } from "./filter-run.js";

/** Options of {@link compileFilter}. */
export interface CompileFilterOptions {
  /** The run serves a reversed scan (rows in descending order): rowPrefix ends the scan below its prefix. */
  reversed?: boolean;
}

const FILTER_TYPES = ["rowPrefix", "row", "columnPrefix", "qualifier", "value", "singleColumnValue", "keyOnly", "page", "list"] as const;
const COMPARATOR_TYPES = ["binary", "binaryPrefix", "substring"] as const;
const LIST_OPERATORS = ["mustPassAll", "mustPassOne"] as const;

/**
 * Checks `filter` and returns a fresh run of it for one get or scan (each get or scan needs its own:
 * a run keeps state, e.g. a page count). Byte operands are copied, so changing the filter value
 * afterwards does not change the run.
 *
 * The run applies HBase 2's semantics (region scanner and query matcher, FilterListWithAND/OR, each
 * filter's return codes) to whole rows whose versions the store already selected — which is also the
 * order HBase 2 uses (versions are counted before the filter is asked). Where this model differs from
 * a cluster: rows are never split (no scan batch), a page counts over all rows the run is given (HBase:
 * per region), and rows must come in scan order. Details: src/hbase/filters/README.md.
 *
 * @throws InvalidFilterError naming the field (e.g. `filter.filters[1].comparator.value`) when the
 *   value is not a valid filter: unknown type, op, comparator or list operator; a missing or non-bytes
 *   operand; a substring comparator with an op other than `equal`/`notEqual`; a `pageSize` that is not
 *   a positive integer; an option flag that is not a boolean; a list that contains itself.
 */
export function compileFilter(filter: Filter, options: CompileFilterOptions = {}): RowFilterRun {
  return new FilterRun(build(filter, "filter", options.reversed === true, new Set()));
}

/** Checks `filter` like {@link compileFilter} does, without making a run. */
export function validateFilter(filter: unknown): asserts filter is Filter {
  build(filter, "filter", false, new Set());
}

function build(value: unknown, path: string, reversed: boolean, ancestors: Set<object>): FilterNode {
  const f = record(value, path);
  const type = f["type"];
  if (typeof type !== "string" || !(FILTER_TYPES as readonly string[]).includes(type)) {
    throw new InvalidFilterError(`${path}.type`, `unknown filter type ${show(type)} (expected one of ${FILTER_TYPES.join(", ")})`);
  }
  switch (type as (typeof FILTER_TYPES)[number]) {
    case "rowPrefix":
      return new RowPrefixNode(bytes(f["prefix"], `${path}.prefix`), reversed);
    case "row": {
      const [op, cmp] = compared(f, path);
      return new RowCompareNode(op, cmp);
    }
    case "columnPrefix":
      return new ColumnPrefixNode(bytes(f["prefix"], `${path}.prefix`));
    case "qualifier": {
      const [op, cmp] = compared(f, path);
      return new QualifierCompareNode(op, cmp);
    }
    case "value": {
      const [op, cmp] = compared(f, path);
      return new ValueCompareNode(op, cmp);
    }
    case "singleColumnValue": {
      const family = bytes(f["family"], `${path}.family`);
      const qualifier = bytes(f["qualifier"], `${path}.qualifier`);
      const [op, comparator] = compared(f, path);
      return new SingleColumnValueNode({
        family,
        qualifier,
        op,
        comparator,
        filterIfMissing: flag(f["filterIfMissing"], `${path}.filterIfMissing`, false),
        latestVersionOnly: flag(f["latestVersionOnly"], `${path}.latestVersionOnly`, true),
      });
    }
    case "keyOnly":
      return new KeyOnlyNode(flag(f["lengthAsValue"], `${path}.lengthAsValue`, false));
    case "page": {
      const size = f["pageSize"];
      if (typeof size !== "number" || !Number.isSafeInteger(size) || size <= 0) {
        throw new InvalidFilterError(`${path}.pageSize`, `expected a positive integer, got ${show(size)}`);
      }
      return new PageNode(size);
    }
    case "list": {
      const operator = f["operator"];
      if (typeof operator !== "string" || !(LIST_OPERATORS as readonly string[]).includes(operator)) {
        throw new InvalidFilterError(`${path}.operator`, `unknown list operator ${show(operator)} (expected mustPassAll or mustPassOne)`);
      }
      const filters = f["filters"];
      if (!Array.isArray(filters)) throw new InvalidFilterError(`${path}.filters`, `expected an array of filters, got ${show(filters)}`);
      if (ancestors.has(f)) throw new InvalidFilterError(path, "the list contains itself");
      ancestors.add(f);
      const members: FilterNode[] = [];
      for (let i = 0; i < filters.length; i++) members.push(build(filters[i], `${path}.filters[${i}]`, reversed, ancestors));
      ancestors.delete(f);
      return operator === "mustPassAll" ? new MustPassAllNode(members) : new MustPassOneNode(members);
    }
  }
}

/** The op and comparator of a comparing filter, checked together. */
function compared(f: Record<string, unknown>, path: string): [CompareOp, CompiledComparator] {
  const op = f["op"];
  if (typeof op !== "string" || !(COMPARE_OPS as readonly string[]).includes(op)) {
    throw new InvalidFilterError(`${path}.op`, `unknown compare op ${show(op)} (expected one of ${COMPARE_OPS.join(", ")})`);
  }
  const c = record(f["comparator"], `${path}.comparator`);
  const type = c["type"];
  switch (type) {
    case "binary":
      return [op as CompareOp, binaryComparator(bytes(c["value"], `${path}.comparator.value`))];
    case "binaryPrefix":
      return [op as CompareOp, binaryPrefixComparator(bytes(c["value"], `${path}.comparator.value`))];
    case "substring": {
      const value = c["value"];
      if (typeof value !== "string") throw new InvalidFilterError(`${path}.comparator.value`, `a substring comparator takes a string, got ${show(value)}`);
      if (!(SUBSTRING_OPS as readonly string[]).includes(op)) {
        throw new InvalidFilterError(`${path}.op`, `a substring comparator only tells equal from notEqual, got op ${show(op)}`);
      }
      return [op as CompareOp, substringComparator(value)];
    }
    default:
      throw new InvalidFilterError(`${path}.comparator.type`, `unknown comparator type ${show(type)} (expected one of ${COMPARATOR_TYPES.join(", ")})`);
  }
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new InvalidFilterError(path, `expected a filter object, got ${show(value)}`);
  }
  return value as Record<string, unknown>;
}

/** A copy of a BytesLike operand (strings as UTF-8). */
function bytes(value: unknown, path: string): Uint8Array {
  if (typeof value === "string") return new TextEncoder().encode(value);
  if (value instanceof Uint8Array) return value.slice();
  throw new InvalidFilterError(path, `expected bytes (Uint8Array) or a string, got ${show(value)}`);
}

function flag(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new InvalidFilterError(path, `expected a boolean, got ${show(value)}`);
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Uint8Array) return `bytes "${toStringBinary(value)}"`;
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
