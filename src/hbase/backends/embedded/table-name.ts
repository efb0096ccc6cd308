/** Parsing and printing of table names ("name" or "namespace:name"), with HBase's naming rules. */
import type { TableName } from "../../model/table-descriptor.js";
import type { TableRef } from "../../table.js";

const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const NAMESPACE_PATTERN = /^[A-Za-z0-9_]+$/;

/** The structured name of a table reference; throws on names HBase would reject. */
export function parseTableRef(ref: TableRef): TableName {
  let namespace: string;
  let name: string;
  if (typeof ref === "string") {
    const colon = ref.indexOf(":");
    namespace = colon < 0 ? "default" : ref.slice(0, colon);
    name = colon < 0 ? ref : ref.slice(colon + 1);
  } else if (ref !== null && typeof ref === "object" && typeof ref.name === "string") {
    namespace = ref.namespace ?? "default";
    name = ref.name;
  } else {
    throw new TypeError(`a table is named by a string ("name" or "namespace:name") or { namespace, name }, got ${String(ref)}`);
  }
  if (typeof namespace !== "string" || !NAMESPACE_PATTERN.test(namespace)) {
    throw new Error(`invalid namespace "${String(namespace)}" in table ${formatRef(ref)}: use letters, digits and _`);
  }
  if (!NAME_PATTERN.test(name) || name.length > 255) {
    throw new Error(`invalid table name "${name}": use letters, digits, _, - and . (not first), at most 255 characters`);
  }
  return { namespace, name };
}

/** "namespace:name" (or "name" in the default namespace). */
export function formatTableName(table: TableName): string {
  return table.namespace === "default" ? table.name : `${table.namespace}:${table.name}`;
}

function formatRef(ref: TableRef): string {
  return typeof ref === "string" ? `"${ref}"` : JSON.stringify(ref);
}
