/**
 * HBase's protobuf filters (`{name, serialized_filter}`) as the Table API's `Filter` values. A filter
 * or comparator the Table API has no equivalent for is a DoNotRetryIOException, as HBase answers an
 * unknown filter class.
 */
import { CompareType, decodeComparator, decodeFilter, FilterListOperator, type Comparator as WireComparator, type CompareTypeValue, type Filter as WireFilter } from "../wire/hbase-protos.js";
import type { CompareOp, Comparator, Filter } from "../filters/filter.js";
import { doNotRetry } from "./endpoint-errors.js";

/** A filter's CompareType as the Table API's op (`stored <op> operand`, as HBase's CompareFilter). */
export function compareOpFromWire(op: CompareTypeValue, where: string): CompareOp {
  switch (op) {
    case CompareType.LESS:
      return "less";
    case CompareType.LESS_OR_EQUAL:
      return "lessOrEqual";
    case CompareType.EQUAL:
      return "equal";
    case CompareType.NOT_EQUAL:
      return "notEqual";
    case CompareType.GREATER_OR_EQUAL:
      return "greaterOrEqual";
    case CompareType.GREATER:
      return "greater";
    default:
      throw doNotRetry(`${where}: compare op ${op} (NO_OP) is not supported`);
  }
}

/** A comparator message as the Table API's comparator. */
export function comparatorFromWire(comparator: WireComparator, where: string): Comparator {
  const c = decodeComparator(comparator);
  switch (c.kind) {
    case "BinaryComparator":
      return { type: "binary", value: c.message.comparable.value ?? new Uint8Array() };
    case "BinaryPrefixComparator":
      return { type: "binaryPrefix", value: c.message.comparable.value ?? new Uint8Array() };
    case "SubstringComparator":
      return { type: "substring", value: c.message.substr };
    default:
      throw doNotRetry(`${where}: comparator ${comparator.name} is not supported by this endpoint`);
  }
}

/** Converts a wire filter (nested lists included). */
export function filterFromWire(filter: WireFilter, where = "filter"): Filter {
  const f = decodeFilter(filter);
  switch (f.kind) {
    case "PrefixFilter":
      return { type: "rowPrefix", prefix: f.message.prefix ?? new Uint8Array() };
    case "ColumnPrefixFilter":
      return { type: "columnPrefix", prefix: f.message.prefix };
    case "RowFilter":
    case "QualifierFilter":
    case "ValueFilter": {
      const cf = f.message.compare_filter;
      if (!cf.comparator) throw doNotRetry(`${where}: ${f.kind} without a comparator`);
      const type = f.kind === "RowFilter" ? "row" : f.kind === "QualifierFilter" ? "qualifier" : "value";
      return { type, op: compareOpFromWire(cf.compare_op, where), comparator: comparatorFromWire(cf.comparator, where) };
    }
    case "SingleColumnValueFilter": {
      const m = f.message;
      return {
        type: "singleColumnValue",
        family: m.column_family ?? new Uint8Array(),
        qualifier: m.column_qualifier ?? new Uint8Array(),
        op: compareOpFromWire(m.compare_op, where),
        comparator: comparatorFromWire(m.comparator, where),
        filterIfMissing: m.filter_if_missing ?? false,
        latestVersionOnly: m.latest_version_only ?? true,
      };
    }
    case "KeyOnlyFilter":
      return { type: "keyOnly", lengthAsValue: f.message.len_as_val };
    case "PageFilter":
      return { type: "page", pageSize: Number(f.message.page_size) };
    case "FilterList": {
      const operator = f.message.operator === FilterListOperator.MUST_PASS_ONE ? "mustPassOne" : "mustPassAll";
      return { type: "list", operator, filters: (f.message.filters ?? []).map((g, i) => filterFromWire(g, `${where}.filters[${i}]`)) };
    }
    default:
      throw doNotRetry(`${where}: filter ${filter.name} is not supported by this endpoint`);
  }
}
