/**
 * The Table API's filters as HBase's protobuf filters (`{ name: "org.apache.hadoop.hbase.filter.<Class>",
 * serialized_filter }`). Both sides mean `stored <op> operand` for compare filters (HBase's
 * CompareFilter), so ops map one to one. Call `validateFilter` first: this assumes a valid filter.
 */
import { toBytes } from "../../bytes/bytes.js";
import type { CompareOp, Comparator, Filter } from "../../filters/filter.js";
import {
  CompareType,
  encodeComparator,
  encodeFilter,
  FilterListOperator,
  type Comparator as WireComparator,
  type CompareTypeValue,
  type Filter as WireFilter,
} from "../../wire/hbase-protos.js";

const OPS: Readonly<Record<CompareOp, CompareTypeValue>> = {
  less: CompareType.LESS,
  lessOrEqual: CompareType.LESS_OR_EQUAL,
  equal: CompareType.EQUAL,
  notEqual: CompareType.NOT_EQUAL,
  greaterOrEqual: CompareType.GREATER_OR_EQUAL,
  greater: CompareType.GREATER,
};

/** A filter's compare op as HBase's CompareType. */
export function compareOpToWire(op: CompareOp): CompareTypeValue {
  return OPS[op];
}

/** A comparator as HBase's comparator message. */
export function comparatorToWire(comparator: Comparator): WireComparator {
  switch (comparator.type) {
    case "binary":
      return encodeComparator("BinaryComparator", { comparable: { value: toBytes(comparator.value) } });
    case "binaryPrefix":
      return encodeComparator("BinaryPrefixComparator", { comparable: { value: toBytes(comparator.value) } });
    case "substring":
      return encodeComparator("SubstringComparator", { substr: comparator.value });
  }
}

/** A (validated) filter as HBase's filter message; lists nest. */
export function filterToWire(filter: Filter): WireFilter {
  switch (filter.type) {
    case "rowPrefix":
      return encodeFilter("PrefixFilter", { prefix: toBytes(filter.prefix) });
    case "row":
      return encodeFilter("RowFilter", { compare_filter: { compare_op: OPS[filter.op], comparator: comparatorToWire(filter.comparator) } });
    case "columnPrefix":
      return encodeFilter("ColumnPrefixFilter", { prefix: toBytes(filter.prefix) });
    case "qualifier":
      return encodeFilter("QualifierFilter", { compare_filter: { compare_op: OPS[filter.op], comparator: comparatorToWire(filter.comparator) } });
    case "value":
      return encodeFilter("ValueFilter", { compare_filter: { compare_op: OPS[filter.op], comparator: comparatorToWire(filter.comparator) } });
    case "singleColumnValue":
      return encodeFilter("SingleColumnValueFilter", {
        column_family: toBytes(filter.family),
        column_qualifier: toBytes(filter.qualifier),
        compare_op: OPS[filter.op],
        comparator: comparatorToWire(filter.comparator),
        filter_if_missing: filter.filterIfMissing ?? false,
        latest_version_only: filter.latestVersionOnly ?? true,
      });
    case "keyOnly":
      return encodeFilter("KeyOnlyFilter", { len_as_val: filter.lengthAsValue ?? false });
    case "page":
      return encodeFilter("PageFilter", { page_size: filter.pageSize });
    case "list":
      return encodeFilter("FilterList", {
        operator: filter.operator === "mustPassOne" ? FilterListOperator.MUST_PASS_ONE : FilterListOperator.MUST_PASS_ALL,
        filters: filter.filters.map(filterToWire),
      });
  }
}
