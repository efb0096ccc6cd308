/**
 * Checks of a delete's options shared by every backend, so that the embedded store and the wire client
 * refuse the same deletes with the same messages.
 */

/** `allVersions` of a family or column delete: a boolean, true when absent. */
export function checkAllVersions(value: unknown, table: string): boolean {
  if (value === undefined) return true;
  if (typeof value !== "boolean") throw new TypeError(`table ${table}: allVersions must be a boolean, got ${typeof value}`);
  return value;
}

/**
 * The error of a family delete with `allVersions: false` (exactly one timestamp) but no timestamp;
 * `where` starts the message (e.g. "table t").
 */
export function familyVersionNeedsTimestamp(where: string): string {
  return `${where}: a family delete with allVersions: false removes the versions at exactly one timestamp and needs a timestamp`;
}
